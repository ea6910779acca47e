// Package fswatch watches the library folder for changes with inotify
// (through fsnotify): the ports.LibraryWatcher of `photosync serve`.
package fswatch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fsnotify/fsnotify"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Watcher watches a library folder. inotify watches one folder at a time,
// so every folder of the library is added, and new folders as they
// appear; hidden folders are left out and symbolic links are never
// followed (a link to a folder is not a folder here).
type Watcher struct {
	root string
}

// New returns a watcher of the library folder root.
func New(root string) *Watcher { return &Watcher{root: root} }

var _ ports.LibraryWatcher = (*Watcher)(nil)

// Why the watcher falls back to walks, as the UI says it.
const (
	whyOverflow = "the system dropped change events (more changed at once than the inotify queue holds, fs.inotify.max_queued_events)"
	whyLimit    = "the system's limit of inotify watches is reached (fs.inotify.max_user_watches); raise it, e.g. sysctl fs.inotify.max_user_watches=524288"
)

// Watch adds the library's folders and then reports their changes until
// ctx ends. Folders that cannot be watched are reported at once as
// LibraryIncomplete events (the channel is buffered for them).
func (w *Watcher) Watch(ctx context.Context) (<-chan ports.LibraryEvent, error) {
	root, err := filepath.EvalSymlinks(w.root)
	if err != nil {
		return nil, fmt.Errorf("watch the library %s: %w", w.root, err)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch the library %s: %s", w.root, explain(err))
	}
	s := &session{fw: fw, root: root, out: make(chan ports.LibraryEvent, 64), dirs: map[string]bool{}, ctx: ctx}
	if err := fw.Add(root); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watch the library %s: %s", w.root, explain(err))
	}
	s.dirs[root] = true
	s.addBelow(root, false)
	go s.loop()
	return s.out, nil
}

// Stat returns a library file's size and modification time, without
// following a symbolic link.
func (w *Watcher) Stat(ctx context.Context, path string) (domain.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return domain.FileInfo{}, err
	}
	if !fs.ValidPath(path) || path == "." || strings.Contains(path, `\`) {
		return domain.FileInfo{}, domain.Errorf(domain.EINVALID, "%q is not a path in the library", path)
	}
	fi, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(path)))
	if errors.Is(err, fs.ErrNotExist) {
		return domain.FileInfo{}, domain.Errorf(domain.ENOTFOUND, "%s is not in the library", path)
	}
	if err != nil {
		return domain.FileInfo{}, err
	}
	info := domain.FileInfo{Path: path, Size: fi.Size(), ModTime: fi.ModTime()}
	if !fi.Mode().IsRegular() {
		info.Size = -1
	}
	return info, nil
}

// session is one Watch: the fsnotify watcher and the folders it watches.
type session struct {
	fw    *fsnotify.Watcher
	root  string
	out   chan ports.LibraryEvent
	dirs  map[string]bool // absolute paths of the watched folders
	ctx   context.Context
	limit bool // the watch limit was reported (once is enough)
}

func (s *session) loop() {
	defer close(s.out)
	defer s.fw.Close()
	for {
		select {
		case <-s.ctx.Done():
			return
		case ev, ok := <-s.fw.Events:
			if !ok {
				return
			}
			s.handle(ev)
		case err, ok := <-s.fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				s.send(ports.LibraryEvent{Kind: ports.LibraryOverflow, Why: whyOverflow})
				continue
			}
			s.send(ports.LibraryEvent{Kind: ports.LibraryIncomplete, Why: "the watcher failed: " + explain(err)})
		}
	}
}

// handle turns an fsnotify event into library events.
func (s *session) handle(ev fsnotify.Event) {
	rel, ok := s.rel(ev.Name)
	if !ok {
		return
	}
	switch {
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(ev.Name)
		if err != nil {
			return // gone already: its removal follows
		}
		if fi.IsDir() {
			if hidden(rel) {
				return
			}
			s.addFolder(ev.Name, rel)
			return
		}
		s.file(ports.LibraryCreated, rel)
	case ev.Has(fsnotify.Write):
		s.file(ports.LibraryChanged, rel)
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		kind := ports.LibraryRemoved
		if ev.Has(fsnotify.Rename) {
			kind = ports.LibraryMoved
		}
		if s.dirs[ev.Name] {
			s.forget(ev.Name)
			s.send(ports.LibraryEvent{Kind: kind, Path: rel, Folder: true})
			return
		}
		s.file(kind, rel)
	}
}

// file sends a file's event unless the library ignores the file.
func (s *session) file(kind ports.LibraryEventKind, rel string) {
	if domain.Ignored(rel) {
		return
	}
	s.send(ports.LibraryEvent{Kind: kind, Path: rel})
}

// addFolder watches a new folder and what is below it, and reports it and
// the files already in it (they may have arrived before the watch).
func (s *session) addFolder(abs, rel string) {
	if !s.add(abs, rel) {
		return
	}
	s.send(ports.LibraryEvent{Kind: ports.LibraryCreated, Path: rel, Folder: true})
	s.addBelow(abs, true)
}

// addBelow watches the folders below abs (abs itself is watched), and
// with report sends the files it finds as created.
func (s *session) addBelow(abs string, report bool) {
	_ = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		if p == abs {
			return nil
		}
		rel, ok := s.rel(p)
		if !ok {
			return nil
		}
		if err != nil {
			if d == nil || d.IsDir() {
				s.send(ports.LibraryEvent{Kind: ports.LibraryIncomplete, Path: rel, Why: fmt.Sprintf("the folder %s cannot be read: %s", rel, explain(err))})
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() { // WalkDir never follows links: a link is not a folder
			if hidden(rel) {
				return fs.SkipDir
			}
			if !s.add(p, rel) {
				return fs.SkipDir
			}
			if report {
				s.send(ports.LibraryEvent{Kind: ports.LibraryCreated, Path: rel, Folder: true})
			}
			return nil
		}
		if report {
			s.file(ports.LibraryCreated, rel)
		}
		return nil
	})
}

// add watches one folder; a folder that cannot be watched is reported.
func (s *session) add(abs, rel string) bool {
	if s.dirs[abs] {
		return true
	}
	if err := s.fw.Add(abs); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false // gone already
		}
		if errors.Is(err, syscall.ENOSPC) {
			if !s.limit {
				s.limit = true
				s.send(ports.LibraryEvent{Kind: ports.LibraryIncomplete, Path: rel, Why: whyLimit})
			}
			return false
		}
		s.send(ports.LibraryEvent{Kind: ports.LibraryIncomplete, Path: rel, Why: fmt.Sprintf("the folder %s cannot be watched: %s", rel, explain(err))})
		return false
	}
	s.dirs[abs] = true
	return true
}

// forget drops a removed or moved folder and the folders below it (the
// system drops their watches; their names are stale).
func (s *session) forget(abs string) {
	prefix := abs + string(filepath.Separator)
	for d := range s.dirs {
		if d == abs || strings.HasPrefix(d, prefix) {
			delete(s.dirs, d)
			_ = s.fw.Remove(d) // already gone with the folder, mostly
		}
	}
}

// send hands an event on, or drops it once the watch ends.
func (s *session) send(ev ports.LibraryEvent) {
	select {
	case s.out <- ev:
	case <-s.ctx.Done():
	}
}

// rel returns a path relative to the root, slash-separated.
func (s *session) rel(abs string) (string, bool) {
	r, err := filepath.Rel(s.root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// hidden reports whether a path has a part that starts with a dot: the
// library does not enter hidden folders.
func hidden(rel string) bool {
	for i := 0; i < len(rel); i++ {
		if rel[i] == '.' && (i == 0 || rel[i-1] == '/') {
			return true
		}
	}
	return false
}

// explain names the system's error without Go's wrapping.
func explain(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOSPC:
			return whyLimit
		case syscall.EMFILE:
			return "the system's limit of inotify instances is reached (fs.inotify.max_user_instances)"
		}
		return errno.Error()
	}
	return err.Error()
}
