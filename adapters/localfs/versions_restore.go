package localfs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"

	"github.com/photosync/photosync/domain"
)

// Restore puts the version id back into the library; see
// ports.VersionStore. The file goes back to its path when nothing is
// there; when the path holds the same bytes the version is only
// forgotten; otherwise the version goes beside it as "<stem> (restored
// YYYY-MM-DD HHMMSS).<ext>" (the time of the restore, on the machine's
// clock), numbered when that name is taken too. Nothing is ever
// overwritten, and the move is durable (the file and both folders
// synced) before the version is forgotten. EINVALID for an id that Keep
// never makes, ENOTFOUND for an unknown one.
func (s *VersionStore) Restore(ctx context.Context, id string) (restored string, err error) {
	where := VersionsDir + "/" + id // the path an error is about
	defer func() { err = diskError(s.root, where, err) }()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !versionID.MatchString(id) {
		return "", domain.Errorf(domain.EINVALID, "%q is not a version ID", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return "", (&Library{root: s.root}).rootError(err)
	}
	defer root.Close()
	area, err := openArea(root, false)
	if errors.Is(err, fs.ErrNotExist) {
		return "", domain.Errorf(domain.ENOTFOUND, "version %s not found", id)
	}
	if err != nil {
		return "", err
	}
	defer area.Close()
	f, err := readVersion(area, id)
	if err != nil {
		return "", err
	}
	if f == nil {
		return "", domain.Errorf(domain.ENOTFOUND, "version %s not found", id)
	}
	if !f.data {
		return "", domain.Errorf(domain.ENOTFOUND, "version %s not found: its file is no longer in %s", id, VersionsDir)
	}
	where = f.Path
	if err := s.step("restore"); err != nil {
		return "", writeError(f.Path, err)
	}
	data := path.Join(VersionsDir, id, path.Base(f.Path))
	dir := path.Dir(f.Path)
	if dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return "", writeError(dir, err)
		}
	}
	at := s.clock.Now().Local()
	for n := 0; ; n++ {
		target := f.Path
		if n > 0 {
			target = domain.RestoredName(f.Path, at, n-1)
		}
		where = target
		if n == 0 && sameBytes(root, target, f.record) {
			restored = target // the library has this version already
			break
		}
		err := moveNoReplace(root, ".", data, target)
		if err == nil {
			restored = target
			if fh, err := root.Open(target); err == nil {
				_ = fh.Sync()
				fh.Close()
			}
			_ = fsyncDir(root, dir)
			break
		}
		if domain.ErrorCode(err) != domain.ECONFLICT || n > 1000 {
			return "", err
		}
	}
	// The file is back: the version is forgotten.
	if err := forget(area, id); err != nil {
		return restored, err
	}
	_ = fsyncDir(area, ".")
	return restored, nil
}

// sameBytes reports whether the library file p is a regular file with
// the size and SHA-1 of rec.
func sameBytes(root *os.Root, p string, rec record) bool {
	fi, err := root.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != rec.Size {
		return false
	}
	f, err := root.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	sum, err := hashFile(f)
	return err == nil && sum == rec.SHA1
}
