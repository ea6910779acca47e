package app

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// RemoveExpired removes from the servers the uploaded files whose upload
// asked to expire (UploadOptions.ExpireAfter) and whose time has come, and
// returns how many files it removed. The scheduler calls it on every tick.
//
// A file is removed only while it is still the file that was uploaded:
// the same size and the same SHA-1, taken from the server's checksum when
// it reports one and by downloading the file otherwise. A file someone
// replaced is kept and only its record dropped; so is the record of a file
// gone from the server, and of a file that another record at the same path
// still keeps (one that never expires or expires later). A file that
// cannot be checked or removed keeps its record and is tried again next
// time, and is logged. An account whose server refuses its credentials
// (401, 403) is marked so and passed over, like one marked so already.
// The error is only for a listing that failed or a ctx that ended.
func (u *Uploader) RemoveExpired(ctx context.Context) (removed int, err error) {
	now := u.clock.Now()
	recs, err := u.uploads.ExpiredUploads(ctx, now)
	if err != nil {
		return 0, err
	}
	storages := map[int64]ports.RemoteStorage{}
	skip := map[int64]bool{}
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		if skip[rec.AccountID] {
			continue
		}
		st, ok := storages[rec.AccountID]
		if !ok {
			if st, err = u.expiryStorage(ctx, rec.AccountID); err != nil || st == nil {
				if err != nil {
					u.log.WarnContext(ctx, "expired uploads: cannot reach the account", "account", rec.AccountID, "err", err)
				}
				skip[rec.AccountID] = true
				continue
			}
			storages[rec.AccountID] = st
		}
		done, err := u.removeExpired(ctx, st, rec)
		switch {
		case err == nil:
			if done {
				removed++
				u.log.InfoContext(ctx, "expired upload removed", "account", rec.AccountID, "path", rec.RemotePath)
			}
		case ctx.Err() != nil:
			return removed, ctx.Err()
		case isFatal(err):
			_ = u.accounts.NoteFailure(ctx, rec.AccountID, err)
			u.log.WarnContext(ctx, "expired uploads: the server refused the account", "account", rec.AccountID, "err", err)
			skip[rec.AccountID] = true
		default:
			u.log.WarnContext(ctx, "expired upload not removed, trying again later", "account", rec.AccountID,
				"path", rec.RemotePath, "err", err)
		}
	}
	return removed, nil
}

// expiryStorage opens an account's storage, or returns nil when the
// account waits for a person to fix its credentials.
func (u *Uploader) expiryStorage(ctx context.Context, accountID int64) (ports.RemoteStorage, error) {
	a, err := u.accounts.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Status == domain.StatusUnauthorized {
		u.log.DebugContext(ctx, "expired uploads: the account waits for its credentials", "account", accountID)
		return nil, nil
	}
	return u.accounts.Storage(ctx, accountID)
}

// removeExpired removes one expired upload's file when it is still the
// file uploaded, then its record, and reports whether it removed the file.
func (u *Uploader) removeExpired(ctx context.Context, st ports.RemoteStorage, rec domain.UploadRecord) (bool, error) {
	drop := func() error {
		return u.uploads.DeleteUpload(context.WithoutCancel(ctx), rec.FileID, rec.AccountID, rec.RemotePath)
	}
	kept, err := u.keptByOther(ctx, rec)
	if err != nil {
		return false, err
	}
	if kept {
		return false, drop()
	}
	rf, err := st.Stat(ctx, rec.RemotePath)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, drop()
	}
	if err != nil {
		return false, err
	}
	same, err := isUploaded(ctx, st, rf, rec)
	if err != nil {
		return false, err
	}
	if !same {
		u.log.InfoContext(ctx, "expired upload kept: the file on the server was replaced", "account", rec.AccountID, "path", rec.RemotePath)
		return false, drop()
	}
	if err := st.Delete(ctx, rec.RemotePath); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return false, err
	}
	return true, drop()
}

// keptByOther reports whether another record of the same account and path
// keeps the file longer: it never expires, or later than rec.
func (u *Uploader) keptByOther(ctx context.Context, rec domain.UploadRecord) (bool, error) {
	in, err := u.uploads.UploadsIn(ctx, rec.AccountID, path.Dir(rec.RemotePath))
	if err != nil {
		return false, err
	}
	for _, o := range in {
		if o.RemotePath == rec.RemotePath && o.FileID != rec.FileID && (o.ExpiresAt.IsZero() || o.ExpiresAt.After(rec.ExpiresAt)) {
			return true, nil
		}
	}
	return false, nil
}

// isUploaded reports whether a remote file is still the one rec uploaded.
func isUploaded(ctx context.Context, st ports.RemoteStorage, rf domain.RemoteFile, rec domain.UploadRecord) (bool, error) {
	if rf.IsDir || rf.Size != rec.Size {
		return false, nil
	}
	if rec.SHA1 == "" {
		return true, nil // nothing to compare but the size
	}
	sum := rf.Checksum.SHA1()
	if sum == "" {
		var err error
		sum, _, err = readRemoteSHA1(ctx, st, rec.RemotePath)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return strings.EqualFold(sum, rec.SHA1), nil
}

// renewExpiry brings the expiry of a file this upload found at its path,
// uploaded before with an expiry, in line with this upload: it stays until
// the later of both expiries, and for good when this upload has none.
func (r *upload) renewExpiry(ctx context.Context, it *uploadItem) {
	for _, rec := range r.ofFile[it.f.ID] {
		if rec.AccountID != r.req.AccountID || rec.RemotePath != it.path || rec.ExpiresAt.IsZero() {
			continue
		}
		var expires time.Time
		if r.req.Options.ExpireAfter > 0 {
			if expires = r.clock.Now().Add(r.req.Options.ExpireAfter); !expires.After(rec.ExpiresAt) {
				continue
			}
		}
		rec.ExpiresAt = expires
		if err := r.uploads.RecordUpload(context.WithoutCancel(ctx), rec); err != nil {
			r.log.WarnContext(ctx, "renew the expiry of an uploaded file", "path", it.path, "err", err)
		}
	}
}
