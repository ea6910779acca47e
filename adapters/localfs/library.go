// Package localfs is the library of originals on the local disk.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Library is a folder of originals on disk.
//
// Symbolic links are not followed, neither to folders nor to files: a link
// may lead out of the library, or show one file twice under two paths. The
// root itself may be a link (a library on a mounted disk often is). Open
// goes through os.Root, so even a link swapped in after a walk cannot make
// it read outside the root.
type Library struct {
	root string
}

var _ ports.Library = (*Library)(nil)

// NewLibrary returns the library in the folder root. The folder need not
// exist yet: Walk and Open say so when it does not.
func NewLibrary(root string) *Library {
	return &Library{root: root}
}

// Root returns the library's folder as given.
func (l *Library) Root() string { return l.root }

// Walk calls fn for every regular file below the root that domain.Ignored
// does not rule out, folder by folder in lexical order, without entering
// hidden folders. A folder that cannot be read is passed to fn as one
// entry with Size -1 (its path, with no extension), so that the index lists
// it as a problem instead of taking its files for deleted; so is a file
// whose details cannot be read. ENOTFOUND when the root does not exist.
func (l *Library) Walk(ctx context.Context, fn func(domain.FileInfo) error) error {
	root, err := filepath.EvalSymlinks(l.root)
	if err != nil {
		return l.rootError(err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return l.rootError(err)
	}
	if !fi.IsDir() {
		return domain.Errorf(domain.EINVALID, "the library %s is not a folder", l.root)
	}
	// The folders are read in order, then the files' details are read
	// walkWorkers at a time (one stat each: most of a walk's time at
	// 100,000 files, and it spreads over the processors), then fn gets
	// them in order.
	var items []walkItem
	if err := collect(ctx, root, "", &items); err != nil {
		if re, ok := err.(errRoot); ok {
			return l.rootError(re.err)
		}
		return err
	}
	if err := statAll(ctx, items); err != nil {
		return err
	}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case it.err != nil && errors.Is(it.err, fs.ErrNotExist):
			continue // deleted since its folder was read
		case it.err != nil:
			if err := fn(domain.FileInfo{Path: it.rel, Size: -1}); err != nil {
				return err
			}
		default:
			if err := fn(domain.FileInfo{Path: it.rel, Size: it.size, ModTime: it.mod, Changed: it.changed, Inode: it.inode}); err != nil {
				return err
			}
		}
	}
	return nil
}

// errRoot is a failure to read the library's own folder.
type errRoot struct{ err error }

func (e errRoot) Error() string { return e.err.Error() }

// walkWorkers is how many files' details a walk reads at once.
const walkWorkers = 4

// walkItem is a file a walk found, or a folder it could not read (err
// set, no entry), with what the walk learnt of it.
type walkItem struct {
	rel     string
	entry   fs.DirEntry
	size    int64
	mod     time.Time
	changed time.Time // status change time, where the system says
	inode   uint64
	err     error
}

// collect appends the items of the folder rel (below root) to items, in
// the order filepath.WalkDir visits them: entries by name, a subfolder's
// items where its name falls. Hidden folders are not entered; links,
// other non-regular files and files domain.Ignored rules out are left
// out. A folder that cannot be read is an item with its error, and the
// entries it did give are walked all the same.
func collect(ctx context.Context, root, rel string, items *[]walkItem) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	switch {
	case err != nil && rel == "":
		return errRoot{err} // the library itself cannot be read
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		*items = append(*items, walkItem{rel: rel, err: err})
	}
	for _, d := range entries {
		p := d.Name()
		if rel != "" {
			p = rel + "/" + p
		}
		switch {
		case d.IsDir():
			if strings.HasPrefix(d.Name(), ".") {
				continue
			}
			if err := collect(ctx, root, p, items); err != nil {
				return err
			}
		case d.Type().IsRegular() && !domain.Ignored(p):
			*items = append(*items, walkItem{rel: p, entry: d})
		}
	}
	return nil
}

// statAll reads the size and modification time of every file item,
// walkWorkers at a time.
func statAll(ctx context.Context, items []walkItem) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range walkWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) || ctx.Err() != nil {
					return
				}
				it := &items[i]
				if it.entry == nil {
					continue // a folder that could not be read
				}
				info, err := it.entry.Info()
				if err != nil {
					it.err = err
					continue
				}
				it.size, it.mod = info.Size(), info.ModTime()
				it.changed, it.inode = statExtra(info)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// Open opens a file of the library for reading. The path must be
// relative, clean and slash-separated; "..", absolute paths and anything
// that would lead out of the root through a link are refused with
// EINVALID. ENOTFOUND when the file is gone, EFORBIDDEN when it may not be
// read.
func (l *Library) Open(ctx context.Context, path string) (io.ReadSeekCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !fs.ValidPath(path) || path == "." || strings.Contains(path, `\`) {
		return nil, domain.Errorf(domain.EINVALID, "%q is not a path in the library", path)
	}
	root, err := os.OpenRoot(l.root)
	if err != nil {
		return nil, l.rootError(err)
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(path))
	if err != nil {
		return nil, openError(path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, openError(path, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, domain.Errorf(domain.EINVALID, "%s is not a file", path)
	}
	return f, nil
}

func (l *Library) rootError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &domain.Error{Code: domain.ENOTFOUND, Message: fmt.Sprintf("the library folder %s does not exist", l.root), Err: err}
	}
	if errors.Is(err, fs.ErrPermission) {
		return &domain.Error{Code: domain.EFORBIDDEN, Message: fmt.Sprintf("the library folder %s cannot be read: permission denied", l.root), Err: err}
	}
	return fmt.Errorf("library %s: %w", l.root, err)
}

// openError translates an error of os.Root into a domain error whose
// message names the cause without the absolute path.
func openError(path string, err error) error {
	var cause string
	code := domain.EINTERNAL
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code, cause = domain.ENOTFOUND, "no longer exists"
	case errors.Is(err, fs.ErrPermission):
		code, cause = domain.EFORBIDDEN, "permission denied"
	case strings.Contains(err.Error(), "escapes"):
		// os.Root's "path escapes from parent": a link out of the root.
		code, cause = domain.EINVALID, "it is a link that leads out of the library"
	default:
		cause = err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			cause = pe.Err.Error()
		}
	}
	return &domain.Error{Code: code, Message: fmt.Sprintf("%s: %s", path, cause), Err: err}
}
