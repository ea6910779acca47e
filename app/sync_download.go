package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync/atomic"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// rangedMinSize is the size from which a download may be fetched in
// SyncConfig.DownloadStreams parts at once, when the storage can
// (ports.Downloader): on a link where one stream is slower than several,
// a video comes faster; photos are far below it.
const rangedMinSize = 64 << 20

// fetch downloads a remote file to a library path, trying again while the
// server is busy, and returns the pair it makes. The writer puts the
// bytes in a temporary file beside the target and renames it into place
// only once its length (and the server's checksum, when it gave one)
// checks out, so a broken transfer never leaves a partial file.
//
// The storage passes the bytes on unchecked (ports.RemoteStorage
// Download) and the writer, which hashes what it writes anyway, checks
// them against the checksum the download announced: every byte is hashed
// once. A large file may come in parts (see
// SyncConfig.DownloadStreams), each part tried again on its own by the retry
// policy; when the file changes between its parts, it is read again in
// one stream at once.
func (x *syncExec) fetch(ctx context.Context, rf domain.RemoteFile, target string, overwrite bool) (domain.SyncPair, error) {
	modTime := rf.ModTime
	if modTime.IsZero() {
		// Set a time of our own, so that the pair knows the file's.
		modTime = x.clock.Now().Truncate(time.Second)
	}
	streams := 1
	if rf.Size >= rangedMinSize {
		streams = x.cfg.DownloadStreams
	}
	var (
		sum    string
		gaveUp atomic.Bool // a part's retries failed for good
		final  error       // the error of an attempt not to try again
	)
	opts := ports.DownloadOptions{
		Retry: func(ctx context.Context, try func(context.Context) error) error {
			err := x.retry.do(ctx, x.log, rf.Path, try)
			if err != nil && retryable(err) {
				gaveUp.Store(true)
			}
			return err
		},
	}
	err := x.retry.do(ctx, x.log, rf.Path, func(ctx context.Context) error {
		for {
			opts.Streams = streams
			var err error
			sum, err = x.fetchOnce(ctx, rf, target, modTime, overwrite, opts)
			if errors.Is(err, ports.ErrChanged) && streams > 1 {
				streams = 1
				continue
			}
			if err != nil && gaveUp.Load() {
				// The part's retries spent the policy already; trying
				// the whole file again would multiply it.
				final = err
				return nil
			}
			return err
		}
	})
	if final != nil {
		err = final
	}
	if err != nil {
		return domain.SyncPair{}, err
	}
	return domain.SyncPair{
		AccountID: x.a.ID, LocalPath: target, RemotePath: rf.Path, Size: rf.Size,
		LocalModTime: modTime, RemoteModTime: rf.ModTime, ETag: rf.ETag, SHA1: sum, SyncedAt: x.clock.Now(),
	}, nil
}

// fetchOnce downloads a remote file to a library path once, and returns
// the SHA-1 of what it wrote.
func (x *syncExec) fetchOnce(ctx context.Context, rf domain.RemoteFile, target string, modTime time.Time, overwrite bool, opts ports.DownloadOptions) (string, error) {
	want := rf.Checksum.SHA1()
	var (
		body io.ReadCloser
		got  domain.RemoteFile
		err  error
	)
	if d, ok := x.st.(ports.Downloader); ok {
		body, got, err = d.DownloadWith(ctx, rf.Path, opts)
	} else {
		body, got, err = x.st.Download(ctx, rf.Path)
	}
	if err != nil {
		return "", err
	}
	// The storage leaves its checksum to the writer.
	if announced := got.Checksum.SHA1(); announced != "" {
		if want != "" && announced != want {
			body.Close()
			return "", &domain.Error{Code: domain.EINVALID, Remote: true, Message: fmt.Sprintf(
				"%s changed on the server since it was listed: its SHA-1 is now %s, not %s", rf.Path, announced, want)}
		}
		want = announced
	}
	defer body.Close()
	cr := &countingReader{r: body, p: x.p} // the writer hashes what it writes
	sum, err := x.writer.WriteFile(ctx, target, cr, rf.Size, modTime, domain.SHA1Checksum(want), overwrite)
	read, _ := cr.stop()
	if err != nil {
		x.p.AddBytes(-read) // counted again by the next try
	}
	return sum, err
}

// stagingFolder is where downloads wait, below the download folder, until
// their content names them. It is hidden, so the index passes over it.
const stagingFolder = ".photosync-incoming"

// fetchNormalized downloads a remote file whose library name comes from
// its content (names not preserved): it is written to a staging file,
// read for its date taken (EXIF, else the remote modification time), and
// moved to <download folder>/YYYY/MM/YYYYMMDD_HHMMSS_<8 hex>.<ext>. The
// staging file has the name of a temporary file, so one that a crash
// leaves is removed with the others at the start of the next run. When
// the name holds the same content already (an earlier run was killed
// before it recorded the file, or the server has the file twice), that
// file is adopted rather than copied again.
func (x *syncExec) fetchNormalized(ctx context.Context, rf domain.RemoteFile) (domain.SyncPair, error) {
	x.staging.RLock() // keeps RemoveTemps off the staging file until it is moved
	defer x.staging.RUnlock()
	staging := x.stagingPath()
	pair, err := x.fetch(ctx, rf, staging, true)
	if err != nil {
		return pair, err
	}
	taken, err := x.dateTaken(ctx, staging, rf)
	if err != nil {
		return pair, err
	}
	name := path.Join(x.cfg.DownloadFolder, domain.NormalizedName(taken, pair.SHA1, path.Ext(rf.Name)))
	for n := 0; ; n++ {
		target := domain.NumberedName(name, n)
		if x.holds(target, pair.SHA1) {
			pair.LocalPath = target // the staging file goes with the next run's temporary files
			return pair, nil
		}
		err := x.writer.Rename(ctx, staging, target)
		if domain.ErrorCode(err) == domain.ECONFLICT && n < 100 {
			continue // other content holds the name
		}
		if err != nil {
			return pair, err
		}
		x.mu.Lock()
		x.written[target] = pair.SHA1
		x.mu.Unlock()
		pair.LocalPath = target
		return pair, nil
	}
}

// holds reports whether the library file at p is known to have the given
// SHA-1: indexed so, or written so by this run.
func (x *syncExec) holds(p, sum string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if s, ok := x.written[p]; ok {
		return s == sum
	}
	f, ok := x.localMap()[p]
	return ok && !f.Missing && f.SHA1 == sum
}

// dateTaken reads a downloaded file's date taken from its metadata, and
// falls back on the remote modification time.
func (x *syncExec) dateTaken(ctx context.Context, p string, rf domain.RemoteFile) (time.Time, error) {
	r, err := x.lib.Open(ctx, p)
	if err != nil {
		return time.Time{}, err
	}
	defer r.Close()
	info, err := x.inspector.Inspect(ctx, rf.Name, r, rf.Size)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the date of %s: %w", rf.Path, err)
	}
	if t, src := domain.DateTaken("", info.TakenAt, time.Time{}, x.clock.Now()); src == domain.TakenFromEXIF {
		return t, nil
	}
	if !rf.ModTime.IsZero() {
		return rf.ModTime.UTC(), nil
	}
	return x.clock.Now().UTC(), nil
}
