package app

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Uploader sends a person's selection of photos to a folder of one
// account: the manual upload of DESIGN.md.
//
// An upload lists the target folder once, decides every file's remote
// name before sending anything (domain.PlanNames: the original name, or
// " (1)", " (2)", ... when other content holds it), skips files whose
// content is there already, and sends the rest several at a time over the
// account's one connection pool. Every PUT declares its exact length; the
// remote sizes are checked after, with one folder listing per batch of
// files (see verifier), and only a file whose size checks out is recorded
// as uploaded.
//
// Content counts as already there when the remote file has the same size
// and the same SHA-1. The remote SHA-1 is taken, in this order, from the
// server's listing (when it reports checksums), from photosync's own record
// of what it uploaded to that path (when the remote size still matches the
// record), or by downloading the remote file and hashing it, which happens
// only for a remote file with a name and a size that could match.
type Uploader struct {
	accounts *Accounts
	library  ports.Library
	store    ports.LibraryStore
	uploads  ports.UploadStore
	resizer  ports.Resizer
	clock    ports.Clock
	log      *slog.Logger

	// Verify is how an upload is proven where the server computes no
	// hash of what it stored; VerifyAll when empty.
	Verify VerifyMode
	// Proofs, when set, records every upload proven (the backup status).
	Proofs ports.ProofStore
	// Parallel is how many files are sent at once; 4 when 0.
	Parallel int
	// Attempts is how often a file is tried when the server is busy or
	// the connection breaks (EUNAVAILABLE); 3 when 0.
	Attempts int
	// RetryDelay is the wait before the second try, doubled before each
	// later one; one second when 0.
	RetryDelay time.Duration
}

// NewUploader returns the upload use case.
func NewUploader(accounts *Accounts, library ports.Library, store ports.LibraryStore, uploads ports.UploadStore,
	resizer ports.Resizer, clock ports.Clock, log *slog.Logger) *Uploader {
	return &Uploader{accounts: accounts, library: library, store: store, uploads: uploads, resizer: resizer, clock: clock, log: log}
}

// UploadRequest is what a person asked to upload: some photos or all of
// them, to one account. An empty Options.Folder or Options.Size takes the
// account's upload_folder or upload_size.
type UploadRequest struct {
	AccountID int64
	PhotoIDs  []int64
	All       bool
	Options   domain.UploadOptions
	// Share asks for a public link to the folder once the files are
	// there; nil for none.
	Share *domain.ShareOptions
}

// Prepare checks a request before its job starts and fills in the
// account's defaults, so that a bad request is refused at once rather than
// as a failed job. ENOTFOUND for an unknown account or photo, ECONFLICT
// when the account's uploads are turned off, EINVALID for bad options or
// an empty selection.
func (u *Uploader) Prepare(ctx context.Context, req UploadRequest) (UploadRequest, error) {
	a, err := u.accounts.Account(ctx, req.AccountID)
	if err != nil {
		return req, err
	}
	if !a.UploadEnabled {
		return req, domain.Errorf(domain.ECONFLICT, "uploads are turned off for the account %q", a.Name)
	}
	if req.Options.Folder == "" {
		req.Options.Folder = a.UploadFolder
	}
	if req.Options.Size == "" {
		req.Options.Size = a.UploadSize
	}
	if err := req.Options.Normalize(); err != nil {
		return req, err
	}
	if req.Options.ExpireAfter < 0 || req.Options.ExpireAfter > domain.MaxExpireDays*24*time.Hour {
		return req, domain.Errorf(domain.EINVALID, "expire_days: must be between 1 and %d, or 0 for never", domain.MaxExpireDays)
	}
	if req.Share != nil {
		if err := PrepareShare(a, req.Share, u.clock.Now()); err != nil {
			return req, err
		}
	}
	switch {
	case req.All && len(req.PhotoIDs) > 0:
		return req, domain.Errorf(domain.EINVALID, "photos: give photos or all, not both")
	case !req.All && len(req.PhotoIDs) == 0:
		return req, domain.Errorf(domain.EINVALID, "photos: choose the photos to upload, or all of them")
	}
	ids := slices.Clone(req.PhotoIDs)
	slices.Sort(ids)
	req.PhotoIDs = slices.Compact(ids)
	for _, id := range req.PhotoIDs {
		if _, err := u.store.Photo(ctx, id); err != nil {
			return req, err
		}
	}
	return req, nil
}

// Upload sends the files of the requested photos (see Prepare), counting
// each file and byte in p. A file that cannot be sent (missing, empty,
// corrupt, refused by the server, stored short) is counted as failed with
// its cause and the others go on. Upload returns an error only when the
// whole upload stops: the folder cannot be created or listed, the server
// refuses the credentials (401, 403), or ctx ends, in which case the files
// in flight are removed from the server and none is recorded as uploaded.
func (u *Uploader) Upload(ctx context.Context, req UploadRequest, p *Progress) error {
	req, err := u.Prepare(ctx, req)
	if err != nil {
		return err
	}
	files, err := u.selection(ctx, req)
	if err != nil {
		return err
	}
	p.SetTotal(len(files), 0)
	var items []*uploadItem
	for _, f := range files {
		if problem := domain.UploadProblem(f); problem != "" {
			p.FileDone(f.Path, Failed, domain.Errorf(domain.EINVALID, NotSentPrefix+"%s", problem))
			continue
		}
		items = append(items, &uploadItem{f: f, size: -1})
	}
	if len(items) == 0 {
		return nil
	}
	st, err := u.accounts.Storage(ctx, req.AccountID)
	if err != nil {
		return err
	}
	r := &upload{library: u.library, uploads: u.uploads, resizer: u.resizer, clock: u.clock, log: u.log, Parallel: u.Parallel,
		req: req, st: st, p: p, items: items, side: domain.FitSide(req.Options.Size)}
	r.sender = &sender{st: st, library: u.library, p: p, log: u.log, retry: retryPolicy{attempts: u.Attempts, delay: u.RetryDelay}, proof: u.Verify,
		proofs: newProofRecorder(u.Proofs, req.AccountID, u.clock, u.log), parallel: u.Parallel, hashEachBulk: true}
	start := u.clock.Now()
	p.CountConfirmed()
	err = r.run(ctx)
	r.sender.proofs.flush(ctx)
	p.EndSending()
	if isFatal(err) {
		err = u.accounts.NoteFailure(ctx, req.AccountID, err)
	}
	if err == nil && req.Share != nil {
		// The link is made even when some files failed: the others are
		// there. A link that cannot be made leaves the upload done.
		link, serr := ShareFolder(ctx, st, req.Options.Folder, *req.Share)
		if serr != nil {
			u.log.WarnContext(ctx, "upload share link failed", "account", req.AccountID, "err", serr)
			p.SetLink("", domain.ErrorMessage(serr))
		} else {
			p.SetLink(link, "")
		}
	}
	j := p.Snapshot()
	u.log.InfoContext(ctx, "upload ended", "account", req.AccountID, "files", j.FilesTotal, "uploaded", j.Uploaded,
		"skipped", j.Skipped, "failed", j.Failed, "bytes", j.BytesDone, "duration", u.clock.Now().Sub(start), "err", err)
	return err
}

// selection returns the files to upload, each once, in the order of the
// photos. An upload of all photos also reports the library's problem files
// of the kinds it includes (empty, unreadable, corrupt), which are in no
// photo, so that a person learns why they were not sent.
func (u *Uploader) selection(ctx context.Context, req UploadRequest) ([]domain.LibraryFile, error) {
	var photos []domain.Photo
	if req.All {
		for offset := 0; ; {
			page, total, err := u.store.Photos(ctx, domain.PhotoQuery{Offset: offset, Count: domain.MaxPhotoPage})
			if err != nil {
				return nil, err
			}
			photos = append(photos, page...)
			offset += len(page)
			if len(page) == 0 || offset >= total {
				break
			}
		}
	} else {
		for _, id := range req.PhotoIDs {
			ph, err := u.store.Photo(ctx, id)
			if err != nil {
				return nil, err
			}
			photos = append(photos, ph)
		}
	}
	seen := map[int64]bool{}
	var files []domain.LibraryFile
	add := func(fs []domain.LibraryFile) {
		for _, f := range fs {
			if !seen[f.ID] {
				seen[f.ID] = true
				files = append(files, f)
			}
		}
	}
	for _, ph := range photos {
		add(domain.SelectUploadFiles(ph, req.Options))
	}
	if req.All {
		problems, err := u.store.Problems(ctx)
		if err != nil {
			return nil, err
		}
		// A sidecar without a photo is not a photo's file that failed.
		problems = slices.DeleteFunc(problems, func(f domain.LibraryFile) bool {
			return strings.HasPrefix(f.Problem, domain.ProblemOrphan)
		})
		add(domain.SelectUploadFiles(domain.Photo{Files: problems}, req.Options))
	}
	return files, nil
}

// uploadItem is one file of an upload on its way.
type uploadItem struct {
	f       domain.LibraryFile
	path    string // remote path, once planned
	present bool   // the same content is at path already
	size    int64  // of the bytes to send, -1 until needed
	sha1    string // of the bytes to send, "" until needed
	// undecided is why a remote file of the same name and size could not
	// be read to compare it: the item is neither sent beside it as a
	// numbered copy nor skipped as present, it fails for now.
	undecided error
}

// upload is one run of Upload.
type upload struct {
	// The Uploader's parts the run works with.
	library  ports.Library
	uploads  ports.UploadStore
	resizer  ports.Resizer
	clock    ports.Clock
	log      *slog.Logger
	Parallel int // the Uploader's Parallel

	req    UploadRequest
	st     ports.RemoteStorage
	sender *sender
	verify *verifier // checks what sender sent, a folder listing at a time
	p      *Progress
	items  []*uploadItem
	side   int // the longest side for fit_N, 0 for originals

	remote []domain.RemoteFile
	atPath map[string]domain.UploadRecord  // the latest record at each remote path of the folder
	ofFile map[int64][]domain.UploadRecord // every record of the files sent
	sums   map[string]*remoteSum           // remote SHA-1s by path, as found out
	sumsMu sync.Mutex
}

// remoteSum is a remote file's SHA-1, found out once; done is closed when
// the download that finds it has ended, sha1 is "" when it failed.
type remoteSum struct {
	done chan struct{}
	sha1 string
	err  error // why it could not be read
}

func (r *upload) run(ctx context.Context) error {
	folder := r.req.Options.Folder
	if err := r.st.MkdirAll(ctx, folder); err != nil {
		return fmt.Errorf("create the folder %s: %w", folder, err)
	}
	var err error
	if r.remote, err = r.st.List(ctx, folder); err != nil {
		return fmt.Errorf("list the folder %s: %w", folder, err)
	}
	recs, err := r.uploads.UploadsIn(ctx, r.req.AccountID, folder)
	if err != nil {
		return err
	}
	r.atPath = make(map[string]domain.UploadRecord, len(recs))
	for _, rec := range recs {
		if old, ok := r.atPath[rec.RemotePath]; !ok || rec.UploadedAt.After(old.UploadedAt) {
			r.atPath[rec.RemotePath] = rec
		}
	}
	ids := make([]int64, len(r.items))
	for i, it := range r.items {
		ids[i] = it.f.ID
	}
	if r.ofFile, err = r.uploads.UploadsOf(ctx, ids); err != nil {
		return err
	}
	r.sums = map[string]*remoteSum{}
	if err := r.identifyAll(ctx); err != nil {
		return err
	}
	send := r.plan(ctx)
	// What does not fit in the folder is refused before anything is
	// sent, not by a 507 halfway through; what fits is sent.
	if send, err = r.fitQuota(ctx, send); err != nil {
		return err
	}
	paths := make([]string, len(send))
	for i, it := range send {
		paths[i] = it.path
	}
	r.verify = newVerifier(ctx, r.sender, paths)
	err = r.parallel(ctx, len(send), func(ctx context.Context, i int) error {
		return r.sendOne(ctx, send[i])
	})
	// Files sent but not checked yet (the upload stopped early) are checked
	// now, or removed when ctx ended.
	if ferr := r.verify.flush(ctx); err == nil {
		err = ferr
	}
	return err
}

// plan gives every item its remote path, counts and records the items
// present already, and returns the items to send.
func (r *upload) plan(ctx context.Context) []*uploadItem {
	r.items = r.once(ctx, r.items)
	taken := make([]domain.TakenName, len(r.remote))
	for i, rf := range r.remote {
		taken[i] = domain.TakenName{Name: rf.Name, IsDir: rf.IsDir, Size: rf.Size, SHA1: r.knownSum(rf)}
	}
	reqs := make([]domain.NameRequest, len(r.items))
	for i, it := range r.items {
		name, _ := domain.UploadAs(it.f, r.side)
		reqs[i] = domain.NameRequest{Name: name, Size: it.size, SHA1: it.sha1}
	}
	var send []*uploadItem
	var bytes int64
	for i, pl := range domain.PlanNames(taken, reqs) {
		it := r.items[i]
		if it.undecided != nil {
			// Its content is unknown: not a numbered copy, not skipped.
			_ = r.settle(ctx, it, it.undecided)
			for j := range taken {
				if taken[j].Name == pl.Name && !taken[j].IsDir {
					goto next
				}
			}
			taken = append(taken, domain.TakenName{Name: pl.Name, Size: -1})
		next:
			continue
		}
		it.path, it.present = domain.JoinRemotePath(r.req.Options.Folder, pl.Name), pl.Present
		if !it.present {
			send = append(send, it)
			bytes += it.f.Size
			continue
		}
		if !r.recorded(it) {
			if err := r.record(ctx, it, it.size, it.sha1); err != nil {
				r.log.WarnContext(ctx, "record a file found on the server", "path", it.path, "err", err)
			}
		}
		r.renewExpiry(ctx, it)
		r.p.FileDone(it.f.Path, Skipped, nil)
	}
	r.p.AddTotal(0, bytes)
	return send
}

// once drops the items whose content an earlier item of the same upload
// sends already (two library files with the same bytes: a copy in two
// folders, an export next to its original), so that one upload never puts
// the same content in one folder twice. Each dropped item is counted as
// skipped.
func (r *upload) once(ctx context.Context, items []*uploadItem) []*uploadItem {
	seen := make(map[string]string, len(items))
	kept := items[:0:0]
	for _, it := range items {
		if it.f.SHA1 == "" {
			kept = append(kept, it)
			continue
		}
		key := it.f.SHA1 + "/" + strconv.FormatInt(it.f.Size, 10)
		if first, ok := seen[key]; ok {
			r.log.InfoContext(ctx, "upload: the same content is sent once", "path", it.f.Path, "same_as", first)
			r.p.FileDone(it.f.Path, Skipped, nil)
			continue
		}
		seen[key] = it.f.Path
		kept = append(kept, it)
	}
	return kept
}

// recorded reports whether the item's file has a record at its path.
func (r *upload) recorded(it *uploadItem) bool {
	for _, rec := range r.ofFile[it.f.ID] {
		if rec.AccountID == r.req.AccountID && rec.RemotePath == it.path {
			return true
		}
	}
	return false
}

// record stores that the item's file is at its remote path with size
// bytes of the given SHA-1. It is not cancelled with ctx: a file that is
// on the server whole is recorded even when the upload is being stopped.
// A file this upload sent expires when the upload asked for it; one found
// on the server already (present) never does, for this upload did not put
// it there.
func (r *upload) record(ctx context.Context, it *uploadItem, size int64, sha1 string) error {
	now := r.clock.Now()
	var expires time.Time
	if r.req.Options.ExpireAfter > 0 && !it.present {
		expires = now.Add(r.req.Options.ExpireAfter)
	}
	return r.uploads.RecordUpload(context.WithoutCancel(ctx), domain.UploadRecord{
		FileID: it.f.ID, AccountID: r.req.AccountID, RemotePath: it.path, Size: size, SHA1: sha1,
		SourceSHA1: it.f.SHA1, UploadSize: r.req.Options.Size, UploadedAt: now, ExpiresAt: expires,
	})
}

// resized returns the fit_N copy of a file, or nil when the file is sent
// as it is: it fits already, or it cannot be decoded.
func (r *upload) resized(ctx context.Context, f domain.LibraryFile) ([]byte, error) {
	rc, err := r.library.Open(ctx, f.Path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := r.resizer.Resize(ctx, path.Base(f.Path), rc, r.side)
	if domain.ErrorCode(err) == domain.EINVALID && ctx.Err() == nil {
		r.log.DebugContext(ctx, "upload: sending the original of a file that cannot be resized", "path", f.Path, "err", err)
		return nil, nil
	}
	return b, err
}
