package app

// This file holds the rule that leads photosync: a run never destroys the
// last good copy of a file, on either side. A version coming from the
// other side replaces a copy only when it is sound for its kind
// (ports.ContentChecker), is not merely the start of the copy it would
// replace, and the copy is still exactly what the plan saw; the replaced
// copy is kept first (library: ports.VersionStore; server: its own
// versions on Nextcloud, else moved aside with ports.Mover). Anything
// else keeps both, or leaves both as they are and says why.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// remoteVersionsFolder is the folder of the sync folder where a plain
// WebDAV server's copy is moved before the library's version replaces
// it. Hidden, so no sync ever takes it for photos.
const remoteVersionsFolder = ".photosync-versions"

// stagingPath returns a fresh library path in the staging folder, with
// the name of a temporary file, so that one a crash leaves is removed
// with the others at the start of the next run.
func (x *syncExec) stagingPath() string {
	var random [8]byte
	rand.Read(random[:]) // crypto/rand: never fails
	return path.Join(x.cfg.DownloadFolder, stagingFolder, ".incoming.photosync-"+hex.EncodeToString(random[:])+".tmp")
}

// replaceLocal brings the server's changed version of a paired file into
// the library (OpUpdateLocal). The version is downloaded to a staging
// file and must pass the content check and must not be a byte prefix of
// the library's copy; otherwise the library's copy stays and the file
// fails with the cause. The library's copy must still be what the plan
// saw (same size, time and SHA-1): if it changed meanwhile, the server's
// version is saved beside it as a conflict copy and the pair follows that
// copy. Else the library's copy is kept as a version and the new one
// renamed into its place.
//
// A version with the library's very bytes (a server whose ETag changed
// with a touch, a copy put back) replaces nothing: same reports it, and
// the pair is remade with the server's new ETag.
func (x *syncExec) replaceLocal(ctx context.Context, act domain.SyncAction) (pair domain.SyncPair, same bool, err error) {
	x.staging.RLock() // keeps RemoveTemps off the staging file until it is moved
	defer x.staging.RUnlock()
	staging := x.stagingPath()
	pair, err = x.fetch(ctx, act.Remote, staging, true)
	if err != nil {
		return pair, false, err
	}
	if act.Local.SHA1 != "" && strings.EqualFold(pair.SHA1, act.Local.SHA1) {
		if still, err := x.localStill(ctx, act.Local); err == nil && still {
			pair.LocalPath, pair.LocalModTime = act.LocalPath, act.Local.ModTime
			return pair, true, nil // the staging file goes with the run's others
		}
	}
	pair, err = x.replaceWith(ctx, act, staging, pair)
	return pair, false, err
}

// replaceWith puts the checked staging file in the library file's place
// (see replaceLocal).
func (x *syncExec) replaceWith(ctx context.Context, act domain.SyncAction, staging string, pair domain.SyncPair) (domain.SyncPair, error) {
	if err := x.soundIncoming(ctx, act, staging, pair.Size); err != nil {
		return pair, err
	}
	target := act.LocalPath
	still, err := x.localStill(ctx, act.Local)
	if err != nil {
		return pair, err
	}
	if still {
		v, err := x.versions.Keep(ctx, act.LocalPath, x.a.ID, "replaced by the server's newer version in a sync")
		switch {
		case err == nil:
			x.log.InfoContext(ctx, "sync: kept the library's copy as a version before replacing it", "path", act.LocalPath, "version", v.ID)
			err = x.writer.Rename(ctx, staging, target)
			if domain.ErrorCode(err) == domain.ECONFLICT {
				target = domain.ConflictName(act.LocalPath, x.clock.Now())
				err = x.writer.Rename(ctx, staging, target)
			}
			if err != nil {
				// Put the library's copy back where it was.
				if _, rerr := x.versions.Restore(context.WithoutCancel(ctx), v.ID); rerr != nil {
					x.log.ErrorContext(ctx, "sync: cannot put a kept version back; it stays in the versions", "path", act.LocalPath, "version", v.ID, "err", rerr)
				}
				return pair, err
			}
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			// Gone since the check: nothing to keep.
			if err := x.writer.Rename(ctx, staging, target); err != nil {
				return pair, err
			}
		default:
			return pair, fmt.Errorf("keep the library's copy of %s before replacing it: %w", act.LocalPath, err)
		}
	} else {
		target = domain.ConflictName(act.LocalPath, x.clock.Now())
		x.log.InfoContext(ctx, "sync: the library's copy changed while the run went on; the server's version is saved beside it",
			"path", act.LocalPath, "conflict", target)
		if err := x.writer.Rename(ctx, staging, target); err != nil {
			return pair, err
		}
	}
	x.mu.Lock()
	x.written[target] = pair.SHA1
	x.mu.Unlock()
	pair.LocalPath = target
	return pair, nil
}

// soundIncoming checks a downloaded version before it replaces the
// library's copy: sound for its kind, and not a prefix of that copy.
func (x *syncExec) soundIncoming(ctx context.Context, act domain.SyncAction, staging string, size int64) error {
	if err := x.checkSound(ctx, act.LocalPath, staging, size); err != nil {
		return refused(fmt.Sprintf("the server's version of %s is damaged (%s); the library's copy is kept", act.RemotePath, domain.ErrorMessage(err)), err)
	}
	if size < act.Local.Size {
		prefix, err := x.libraryPrefix(ctx, staging, act.LocalPath)
		if err != nil {
			return err
		}
		if prefix {
			return refused(fmt.Sprintf("the server's version of %s is the first %d of the library's %d bytes, a truncated copy; the library's copy is kept",
				act.RemotePath, size, act.Local.Size), nil)
		}
	}
	return nil
}

// soundOutgoing checks a library file before it replaces the server's
// copy: sound for its kind, and not a prefix of that copy.
func (x *syncExec) soundOutgoing(ctx context.Context, act domain.SyncAction) error {
	if err := x.checkSound(ctx, act.LocalPath, act.LocalPath, act.Local.Size); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return errChangedSince
		}
		return refused(fmt.Sprintf("the library's copy of %s is damaged (%s); it is not sent over the server's copy", act.LocalPath, domain.ErrorMessage(err)), err)
	}
	if act.Local.Size < act.Remote.Size {
		prefix, err := x.remotePrefix(ctx, act.LocalPath, act.RemotePath)
		if err != nil {
			return err
		}
		if prefix {
			return refused(fmt.Sprintf("the library's copy of %s is the first %d of the server's %d bytes, a truncated copy; it is not sent over the server's copy",
				act.LocalPath, act.Local.Size, act.Remote.Size), nil)
		}
	}
	return nil
}

// refused is the error of a replacement that would have destroyed a good
// copy: it fails the file for this run (and is tried again on later ones
// with backoff), with a message that says what was kept.
func refused(msg string, cause error) error {
	return &domain.Error{Code: domain.EINVALID, Message: msg, Err: cause}
}

// checkSound runs the content check on the library file at p; name gives
// the kind (the staging file's own name does not).
func (x *syncExec) checkSound(ctx context.Context, name, p string, size int64) error {
	f, err := x.lib.Open(ctx, p)
	if err != nil {
		return err
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return domain.Errorf(domain.EINTERNAL, "the library cannot read %s at offsets", p)
	}
	if err := x.checker.Check(ctx, name, ra, size); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return err
		}
		return fmt.Errorf("check %s: %w", p, err)
	}
	return nil
}

// localStill reports whether the library file is still exactly what the
// plan saw: same size and modification time, and the same SHA-1 when the
// index knew one (read again now: an edit within the same second, or
// one whose time was put back, changes the bytes only).
func (x *syncExec) localStill(ctx context.Context, f domain.LibraryFile) (bool, error) {
	r, err := x.lib.Open(ctx, f.Path)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return true, nil // nothing left to lose: Keep answers ENOTFOUND
	}
	if err != nil {
		return false, err
	}
	defer r.Close()
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		fi, err := st.Stat()
		if err != nil {
			return false, err
		}
		if fi.Size() != f.Size || !fi.ModTime().Equal(f.ModTime) {
			return false, nil
		}
	}
	if f.SHA1 == "" {
		return true, nil
	}
	h := sha1.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", f.Path, err)
	}
	return n == f.Size && strings.EqualFold(hex.EncodeToString(h.Sum(nil)), f.SHA1), nil
}

// libraryPrefix reports whether the library file short holds exactly the
// first bytes of the library file long.
func (x *syncExec) libraryPrefix(ctx context.Context, short, long string) (bool, error) {
	s, err := x.lib.Open(ctx, short)
	if err != nil {
		return false, err
	}
	defer s.Close()
	l, err := x.lib.Open(ctx, long)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer l.Close()
	same, _, err := isPrefix(s, l)
	return same, err
}

// remotePrefix reports whether the library file at lp holds exactly the
// first bytes of the server's file at rp.
func (x *syncExec) remotePrefix(ctx context.Context, lp, rp string) (bool, error) {
	l, err := x.lib.Open(ctx, lp)
	if err != nil {
		return false, err
	}
	defer l.Close()
	var body io.ReadCloser
	err = x.retry.do(ctx, x.log, rp, func(ctx context.Context) error {
		var err error
		body, _, err = x.st.Download(ctx, rp)
		return err
	})
	if err != nil {
		return false, err
	}
	defer body.Close()
	same, _, err := isPrefix(l, body)
	return same, err
}

// isPrefix reports whether every byte of short is the byte at the same
// place of long (an empty short is a prefix of anything), and how many
// bytes short had.
func isPrefix(short, long io.Reader) (bool, int64, error) {
	sb, lb := make([]byte, 64<<10), make([]byte, 64<<10)
	var total int64
	for {
		n, serr := io.ReadFull(short, sb)
		if n > 0 {
			if _, err := io.ReadFull(long, lb[:n]); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return false, total, nil // short is the longer one
				}
				return false, total, err
			}
			if !bytes.Equal(sb[:n], lb[:n]) {
				return false, total, nil
			}
			total += int64(n)
		}
		if serr == io.EOF || serr == io.ErrUnexpectedEOF {
			return true, total, nil
		}
		if serr != nil {
			return false, total, serr
		}
	}
}

// keepRemote keeps the server's copy at the action's remote path before
// the library's version replaces it. Nextcloud keeps versions of every
// file it overwrites by itself; on other servers the copy is moved to
// <sync folder>/.photosync-versions/<date>/<path below the sync folder>.
// It returns a function that puts the copy back, for a send that fails
// (nil when there is nothing to undo). A server that cannot move files
// refuses the replacement: the copy would be lost.
func (x *syncExec) keepRemote(ctx context.Context, act domain.SyncAction) (undo func(), err error) {
	if x.a.Type == domain.TypeNextcloud {
		return nil, nil
	}
	mv, ok := x.st.(ports.Mover)
	if !ok {
		return nil, refused(fmt.Sprintf("the server cannot move files, so its copy of %s cannot be kept; it is not replaced", act.RemotePath), nil)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(act.RemotePath, x.a.SyncFolder), "/")
	now := x.clock.Now().UTC()
	dest := domain.JoinRemotePath(domain.JoinRemotePath(x.a.SyncFolder, remoteVersionsFolder), now.Format("2006-01-02"))
	dest = domain.JoinRemotePath(dest, rel)
	if err := x.st.MkdirAll(ctx, path.Dir(dest)); err != nil {
		return nil, fmt.Errorf("create the versions folder %s: %w", path.Dir(dest), err)
	}
	for n := 0; ; n++ {
		to := domain.NumberedName(dest, n)
		err = mv.Move(ctx, act.RemotePath, to)
		if domain.ErrorCode(err) == domain.ECONFLICT && n < 100 {
			continue
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil, errChangedSince
			}
			return nil, fmt.Errorf("keep the server's copy of %s: %w", act.RemotePath, err)
		}
		x.log.InfoContext(ctx, "sync: kept the server's copy before replacing it", "remote", act.RemotePath, "kept", to)
		return func() {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
			defer cancel()
			if err := mv.Move(uctx, to, act.RemotePath); err != nil {
				x.log.WarnContext(ctx, "sync: cannot put the server's kept copy back; it stays in the versions folder", "remote", act.RemotePath, "kept", to, "err", err)
			}
		}, nil
	}
}
