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
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if p == root {
			if err != nil {
				return l.rootError(err)
			}
			if !d.IsDir() {
				return domain.Errorf(domain.EINVALID, "the library %s is not a folder", l.root)
			}
			return nil
		}
		rel, relErr := filepath.Rel(root, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			// A folder that cannot be read (WalkDir calls again with the
			// error after it was entered), or an entry that vanished.
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fn(domain.FileInfo{Path: rel, Size: -1})
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || domain.Ignored(rel) {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted since the folder was read
		}
		if err != nil {
			return fn(domain.FileInfo{Path: rel, Size: -1})
		}
		return fn(domain.FileInfo{Path: rel, Size: info.Size(), ModTime: info.ModTime()})
	})
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
