package app

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// folderQuota is a storage that can tell the free space of one folder:
// on Nextcloud the account's home folder answers it from a cache kept 5
// minutes, its subfolders the current value (see the webdav adapter's
// QuotaOf). Found by type assertion; others answer for the whole account.
type folderQuota interface {
	QuotaOf(ctx context.Context, dir string) (available int64, known bool, err error)
}

// freeSpace asks st for the bytes that may still be stored in dir.
func freeSpace(ctx context.Context, st ports.RemoteStorage, dir string) (int64, bool, error) {
	if fq, ok := st.(folderQuota); ok && dir != "" {
		return fq.QuotaOf(ctx, dir)
	}
	if qr, ok := st.(ports.QuotaReporter); ok {
		return qr.Quota(ctx)
	}
	return 0, false, nil
}

// CheckQuota refuses, before anything is sent, an upload of need bytes
// that the server has no room for: EUNAVAILABLE (Remote) with "not enough
// space on the server: 1.2 GB needed, 300.0 MB free". It passes when need
// is 0 or less, when the storage cannot tell its free space (it is no
// ports.QuotaReporter, or does not know), and when asking failed for a
// reason other than the credentials or ctx: the upload then finds out,
// and a full server still answers each file with a clear error.
func CheckQuota(ctx context.Context, st ports.RemoteStorage, need int64) error {
	fits, err := FitQuota(ctx, st, "", []int64{need})
	if err != nil {
		return err
	}
	if !fits[0] {
		free, _, _ := freeSpace(ctx, st, "")
		return domain.RemoteErrorf(domain.EUNAVAILABLE, "not enough space on the server: %s needed, %s free",
			domain.FormatBytes(need), domain.FormatBytes(free))
	}
	return nil
}

// FitQuota decides which of a batch of uploads of the given sizes into
// the folder dir fit in its free space (read from dir itself where the
// storage can, see folderQuota): as many files as possible, the smallest
// first, so that what fits is sent and only the rest is refused. All fit
// when the space is unknown, or asking failed for a reason other than the
// credentials or ctx (then an error). Refused ones get NoSpaceFor's error.
func FitQuota(ctx context.Context, st ports.RemoteStorage, dir string, sizes []int64) ([]bool, error) {
	fits := make([]bool, len(sizes))
	var need int64
	for i, s := range sizes {
		fits[i] = true
		need += max(s, 0)
	}
	if need <= 0 {
		return fits, nil
	}
	free, known, err := freeSpace(ctx, st, dir)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && (isFatal(err) || errors.Is(err, context.Canceled)):
		return nil, err
	case err != nil || !known || free >= need:
		return fits, nil
	}
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[a], sizes[b]) })
	left := free
	for _, i := range order {
		if s := max(sizes[i], 0); s <= left {
			left -= s
		} else {
			fits[i] = false
		}
	}
	return fits, nil
}

// NoSpaceFor is the error of an upload of size bytes refused because the
// folder dir has not the room, without sending it.
func NoSpaceFor(ctx context.Context, st ports.RemoteStorage, dir string, size int64) error {
	free, _, _ := freeSpace(ctx, st, dir)
	return noSpaceError(size, free)
}

func noSpaceError(need, free int64) error {
	return domain.RemoteErrorf(domain.EUNAVAILABLE, "no space on the server: %s needed, %s free",
		domain.FormatBytes(need), domain.FormatBytes(free))
}

// noSpace reports whether err is a server's refusal for lack of space
// (507 Insufficient Storage), which trying again in the same run cannot
// mend: the storage's error says so with a NoSpace method.
func noSpace(err error) bool {
	var ns interface{ NoSpace() bool }
	return errors.As(err, &ns) && ns.NoSpace()
}

// fitUploads keeps the uploads among acts that fit in the free space of
// dir, and fails the others with "no space on the server" (see FitQuota).
// An error stops the run: the credentials were refused, or ctx ended.
func fitUploads(ctx context.Context, st ports.RemoteStorage, dir string, acts []domain.SyncAction, failed func(domain.SyncAction, error)) ([]domain.SyncAction, error) {
	sizes := make([]int64, len(acts))
	for i, act := range acts {
		sizes[i] = act.Size
	}
	fits, err := FitQuota(ctx, st, dir, sizes)
	if err != nil {
		return nil, err
	}
	var kept []domain.SyncAction
	for i, act := range acts {
		if fits[i] {
			kept = append(kept, act)
		} else {
			failed(act, NoSpaceFor(ctx, st, dir, act.Size))
		}
	}
	return kept, nil
}

// fitQuota keeps the items of a manual upload that fit in the upload
// folder's free space, and counts the others failed with "no space on the
// server" (see FitQuota).
func (r *upload) fitQuota(ctx context.Context, send []*uploadItem) ([]*uploadItem, error) {
	sizes := make([]int64, len(send))
	for i, it := range send {
		sizes[i] = it.f.Size
	}
	dir := r.req.Options.Folder
	fits, err := FitQuota(ctx, r.st, dir, sizes)
	if err != nil {
		return nil, err
	}
	var kept []*uploadItem
	for i, it := range send {
		if fits[i] {
			kept = append(kept, it)
		} else if err := r.settle(ctx, it, NoSpaceFor(ctx, r.st, dir, it.f.Size)); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// refusedForGood reports whether the server refused a file in a way that
// no later run mends, so that the sync does not try it again: its name is
// longer than the server stores (the storage's error says so with a
// NameTooLong method). The file stays listed as failed, with the cause.
func refusedForGood(err error) bool {
	var e interface{ NameTooLong() bool }
	return errors.As(err, &e) && e.NameTooLong()
}
