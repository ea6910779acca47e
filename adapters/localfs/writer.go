package localfs

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Writer writes files into the library folder. Every operation goes
// through os.Root, so no path, and no symbolic link inside the library,
// can make it create, replace or remove anything outside the root.
//
// A file is first written to a hidden temporary file in its target folder,
// named .<name>.photosync-<owner>-<16 hex>.tmp (domain.Ignored passes over
// it; the owner is this process, see temps.go),
// then checked, synced to disk, given its modification time and only then
// moved into place, so the library never holds a partial file under a
// real name. The library folder itself must exist: a missing root is more
// likely an unmounted disk than a library to create.
type Writer struct {
	root string

	// fsyncDir syncs the folder dir of root, which is the library's
	// folder key; tests watch it.
	fsyncDir func(root *os.Root, dir, key string) error

	// fault, when set (by tests), is called before each step named op
	// ("create", "write", "rename") and its error taken for the step's:
	// a full disk or a read-only one is hard to make on purpose.
	fault func(op string) error
	// now is the clock RemoveTemps judges stale files by.
	now func() time.Time

	mu      sync.Mutex
	active  map[string]bool        // temporary files being written, root-relative
	folders map[string]*folderSync // folders whose fsync writes wait on, root-relative
}

var _ ports.LibraryWriter = (*Writer)(nil)

// NewWriter returns a Writer into the library folder root.
func NewWriter(root string) *Writer {
	return &Writer{
		root:     root,
		fsyncDir: func(root *os.Root, dir, _ string) error { return fsyncDir(root, dir) },
		now:      time.Now,
		active:   map[string]bool{},
		folders:  map[string]*folderSync{},
	}
}

// WriteFile streams r into path through a temporary file beside it; see
// ports.LibraryWriter. It is the one check of the bytes written into the
// library against the SHA-1 announced for them (want). EINVALID for a bad
// path, a short or long body ("received 1200 of 4096 bytes"), a want that
// is no SHA-1, or a checksum mismatch; ECONFLICT when
// path exists and overwrite is false, or is a folder; ENOTFOUND when the
// library folder does not exist. A full or read-only disk is
// EUNAVAILABLE, a name too long EINVALID, each saying so (see diskError).
// A cancelled ctx stops the copy and its error is returned.
func (w *Writer) WriteFile(ctx context.Context, p string, r io.Reader, size int64, modTime time.Time, wantSum domain.Checksum, overwrite bool) (sum string, err error) {
	defer func() { err = diskError(w.root, p, err) }()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := checkPath(p); err != nil {
		return "", err
	}
	if size < 0 {
		return "", domain.Errorf(domain.EINVALID, "%s: the size %d is not a size", p, size)
	}
	want, err := wantSHA1(wantSum)
	if err != nil {
		return "", err
	}
	root, err := os.OpenRoot(w.root)
	if err != nil {
		return "", (&Library{root: w.root}).rootError(err)
	}
	defer root.Close()
	dir, base := path.Dir(p), path.Base(p)
	// Every step below names an entry of the target folder, opened once,
	// rather than a path that os.Root would walk again folder by folder.
	folder, err := openFolder(root, dir)
	if err != nil {
		return "", err
	}
	if folder != root {
		defer folder.Close()
	}
	if fi, err := folder.Lstat(base); err == nil {
		if !overwrite {
			return "", domain.Errorf(domain.ECONFLICT, "%s already exists in the library", p)
		}
		if fi.IsDir() {
			return "", domain.Errorf(domain.ECONFLICT, "%s is a folder in the library", p)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", writeError(p, err)
	}

	tmp, f, err := w.createTemp(folder, dir, base)
	if err != nil {
		return "", err
	}
	defer w.done(path.Join(dir, tmp))
	placed := false
	defer func() {
		if !placed {
			f.Close()
			folder.Remove(tmp)
		}
	}()

	h := sha1.New()
	var dst io.Writer = newWriteback(f)
	if w.fault != nil {
		dst = faultyWriter{dst, w.fault}
	}
	n, err := copyHashed(dst, h, io.LimitReader(ctxReader{ctx, r}, size+1), size)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return "", fmt.Errorf("write %s: %w", p, ctxErr)
	}
	if err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	switch {
	case n < size:
		return "", domain.Errorf(domain.EINVALID, "%s: received %d of %d bytes", p, n, size)
	case n > size:
		return "", domain.Errorf(domain.EINVALID, "%s: received more than the %d bytes announced", p, size)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if want != "" && sum != want {
		return "", domain.Errorf(domain.EINVALID, "%s: the received bytes have the SHA-1 %s, not the %s announced", p, sum, want)
	}
	// The time is set before the rename, so the file appears complete
	// with its final time; the fsync after makes both durable.
	if !modTime.IsZero() {
		if err := folder.Chtimes(tmp, time.Time{}, modTime); err != nil {
			return "", writeError(p, err)
		}
	}
	if err := f.Sync(); err != nil {
		return "", writeError(p, err)
	}
	if err := f.Close(); err != nil {
		return "", writeError(p, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := w.step("rename"); err != nil {
		return "", writeError(p, err)
	}
	if overwrite {
		if err := folder.Rename(tmp, base); err != nil {
			return "", writeError(p, err)
		}
	} else if err := moveNoReplace(folder, dir, tmp, base); err != nil {
		return "", err
	}
	placed = true
	w.syncDir(folder, ".", dir)
	return sum, nil
}

// Rename moves a library file to another path, creating the folders it
// needs. ECONFLICT when to exists; ENOTFOUND when from does not;
// EINVALID for a bad path or when from is not a regular file.
func (w *Writer) Rename(ctx context.Context, from, to string) (err error) {
	defer func() { err = diskError(w.root, to, err) }()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkPath(from); err != nil {
		return err
	}
	if err := checkPath(to); err != nil {
		return err
	}
	root, err := os.OpenRoot(w.root)
	if err != nil {
		return (&Library{root: w.root}).rootError(err)
	}
	defer root.Close()
	fi, err := root.Lstat(from)
	if err != nil {
		return writeError(from, err)
	}
	if !fi.Mode().IsRegular() {
		return domain.Errorf(domain.EINVALID, "%s is not a file", from)
	}
	if dir := path.Dir(to); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return writeError(dir, err)
		}
	}
	if err := moveNoReplace(root, ".", from, to); err != nil {
		return err
	}
	w.syncDir(root, path.Dir(to), path.Dir(to))
	if path.Dir(from) != path.Dir(to) {
		w.syncDir(root, path.Dir(from), path.Dir(from))
	}
	return nil
}

// RemoveTemps deletes the temporary files that writes interrupted by a
// crash left below dir ("" or "." for the whole library) and returns how
// many it removed. Only the files whose owner is gone are removed (see
// temps.go): those of this process, and of other photosync processes
// still running, on this machine or another, are left alone, so two
// processes writing into one library do not remove each other's writes.
// Symbolic links are not followed; a missing dir has nothing to remove.
func (w *Writer) RemoveTemps(ctx context.Context, dir string) (removed int, err error) {
	defer func() { err = diskError(w.root, dir, err) }()
	if dir == "" {
		dir = "."
	}
	if dir != "." {
		if err := checkPath(dir); err != nil {
			return 0, err
		}
	}
	root, err := os.OpenRoot(w.root)
	if err != nil {
		return 0, (&Library{root: w.root}).rootError(err)
	}
	defer root.Close()
	now := w.now()
	err = fs.WalkDir(root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return nil // an unreadable folder or a vanished entry
		}
		if !d.Type().IsRegular() || !isTempName(d.Name()) {
			return nil
		}
		w.mu.Lock()
		active := w.active[p]
		w.mu.Unlock()
		if active {
			return nil
		}
		fi, err := d.Info()
		if err != nil || !abandoned(d.Name(), fi, thisProcess, now) {
			return nil
		}
		if err := root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return writeError(p, err)
		}
		removed++
		return nil
	})
	return removed, err
}

// moveNoReplace moves from to to unless to exists. Both are paths in
// root, which is the library's folder dir ("." for the library itself).
// A hard link is atomic about that; on a file system without hard links
// (FAT, some network shares) a check before the rename has to do.
func moveNoReplace(root *os.Root, dir, from, to string) error {
	err := root.Link(from, to)
	switch {
	case err == nil:
		if err := root.Remove(from); err != nil {
			return writeError(path.Join(dir, from), err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return domain.Errorf(domain.ECONFLICT, "%s already exists in the library", path.Join(dir, to))
	case errors.Is(err, fs.ErrNotExist) || isEscape(err):
		return writeError(path.Join(dir, from), err)
	}
	if _, err := root.Lstat(to); err == nil {
		return domain.Errorf(domain.ECONFLICT, "%s already exists in the library", path.Join(dir, to))
	}
	if err := root.Rename(from, to); err != nil {
		return writeError(path.Join(dir, to), err)
	}
	return nil
}

// createTemp creates the temporary file for the file base in folder (dir
// in the library), exclusively, and notes it as being written so that
// RemoveTemps leaves it alone. It returns the temporary file's name in
// folder.
func (w *Writer) createTemp(folder *os.Root, dir, base string) (string, *os.File, error) {
	var b [8]byte
	rand.Read(b[:])
	tmp := tempName(base, thisProcess, hex.EncodeToString(b[:]))
	w.mu.Lock()
	w.active[path.Join(dir, tmp)] = true
	w.mu.Unlock()
	f, err := w.openTemp(folder, tmp)
	if err != nil {
		w.done(path.Join(dir, tmp))
		return "", nil, writeError(path.Join(dir, base), err)
	}
	return tmp, f, nil
}

func (w *Writer) openTemp(folder *os.Root, tmp string) (*os.File, error) {
	if err := w.step("create"); err != nil {
		return nil, err
	}
	return folder.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// step returns the error a test's fault gives the step op, nil without one.
func (w *Writer) step(op string) error {
	if w.fault == nil {
		return nil
	}
	return w.fault(op)
}

// faultyWriter fails the writes its fault says to fail.
type faultyWriter struct {
	w     io.Writer
	fault func(op string) error
}

func (f faultyWriter) Write(p []byte) (int, error) {
	if err := f.fault("write"); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}

func (w *Writer) done(tmp string) {
	w.mu.Lock()
	delete(w.active, tmp)
	w.mu.Unlock()
}

// checkPath refuses paths that are not clean, relative and slash-separated.
func checkPath(p string) error {
	if !fs.ValidPath(p) || p == "." || strings.Contains(p, `\`) {
		return domain.Errorf(domain.EINVALID, "%q is not a path in the library", p)
	}
	return nil
}

// wantSHA1 returns a wanted checksum's SHA-1 in lower-case hex, "" for
// none; EINVALID for a checksum that is not a valid SHA-1.
func wantSHA1(c domain.Checksum) (string, error) {
	if c.IsZero() {
		return "", nil
	}
	n, err := domain.NewChecksum(c.Algo, c.Hex) // in any case
	if err != nil || n.Algo != domain.AlgoSHA1 {
		return "", domain.Errorf(domain.EINVALID, "%q is not a SHA-1 checksum", c.String())
	}
	return n.Hex, nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// writeError translates an error of os.Root into a domain error.
func writeError(p string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
		// MkdirAll meets a file where a folder must go.
		return &domain.Error{Code: domain.ECONFLICT, Message: fmt.Sprintf("%s: a file is in the way", p), Err: err}
	}
	return openError(p, err)
}

func isEscape(err error) bool {
	return strings.Contains(err.Error(), "escapes")
}
