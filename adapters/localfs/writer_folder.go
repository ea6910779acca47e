package localfs

import (
	"os"
)

// openFolder opens the folder dir of root as a root of its own, creating
// it and its parents when it is missing; "." is root itself. It opens the
// folder first and calls MkdirAll only when that fails, so that a folder
// written before costs one open however deep it is, and one removed
// behind the Writer's back is simply created again. MkdirAll also names
// what is wrong, in the terms writeError knows, when something else is
// in the way (os.Root's own open says "not a directory" without a code).
func openFolder(root *os.Root, dir string) (*os.Root, error) {
	if dir == "." {
		return root, nil
	}
	folder, err := root.OpenRoot(dir)
	if err == nil {
		return folder, nil
	}
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return nil, writeError(dir, err)
	}
	if folder, err = root.OpenRoot(dir); err != nil {
		return nil, writeError(dir, err)
	}
	return folder, nil
}

// folderSync is the state of the fsyncs of one folder, shared by the
// writes into it, so that writes finishing together share one fsync (a
// group commit) instead of queueing one each behind the others.
type folderSync struct {
	users    int           // writes waiting on it; the Writer forgets it at 0
	started  uint64        // how many fsyncs have started
	finished uint64        // the number of the last fsync that ended
	running  chan struct{} // closed when the running fsync ends; nil when none runs
}

// syncDir makes the renames done so far in the folder dir of root
// durable; key names that folder in the library. It returns once an fsync
// of the folder that started after the call has ended: one that started
// before may not have seen the caller's rename. When an fsync is running,
// the caller waits for it and then starts the next one, or waits for the
// one another waiting caller started; either way it began after this
// caller's rename, so every waiting caller can rely on it. It is best
// effort, as a folder's fsync always was here: the file's content is on
// disk already, and some systems cannot sync a folder.
func (w *Writer) syncDir(root *os.Root, dir, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.folders[key]
	if s == nil {
		s = &folderSync{}
		w.folders[key] = s
	}
	s.users++
	defer func() {
		if s.users--; s.users == 0 {
			delete(w.folders, key)
		}
	}()
	need := s.started + 1 // the first fsync to start from now on
	for s.finished < need {
		if ch := s.running; ch != nil {
			w.mu.Unlock()
			<-ch
			w.mu.Lock()
			continue
		}
		s.started++
		n, ch := s.started, make(chan struct{})
		s.running = ch
		w.mu.Unlock()
		w.fsyncDir(root, dir, key)
		w.mu.Lock()
		s.finished, s.running = n, nil
		close(ch)
	}
}

// fsyncDir syncs the folder dir of root to disk.
func fsyncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
