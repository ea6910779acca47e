package localfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// VersionsDir is the versions area, a hidden folder of the library: the
// index never enters hidden folders, and a file moves there by a rename
// on the same file system, which is atomic and copies nothing.
const VersionsDir = ".photosync/versions"

// VersionStore keeps replaced library files in the versions area of the
// library (VersionsDir), one folder per version and its record beside it:
//
//	.photosync/versions/<id>/<the file's own name>
//	.photosync/versions/<id>.json
//
// so that a person browsing the folder finds each file under its own
// name (whatever that name is: the record is not in the folder). Everything goes through os.Root, as for Writer: nothing outside
// the library is touched, and the area's folders must be real folders,
// not links.
//
// Keep writes a first record (path, account, reason, time) to
// <id>.json.tmp and syncs it before it moves the file, then hashes the
// moved file and writes the full record. A crash in between leaves the
// file with its first record, which List and Restore complete by hashing:
// a kept file is never lost for want of its record.
type VersionStore struct {
	root  string
	clock ports.Clock

	// fault, when set (by tests), is called before each step named op
	// ("record", "move", "restore") and its error taken for the step's:
	// a full disk or a read-only one is hard to make on purpose.
	fault func(op string) error

	mu sync.Mutex // serialises Restore and Prune, which remove versions
}

var _ ports.VersionStore = (*VersionStore)(nil)

// NewVersionStore returns the versions area of the library folder root.
func NewVersionStore(root string, clock ports.Clock) *VersionStore {
	return &VersionStore{root: root, clock: clock}
}

// record is version.json: a version's details, as JSON for whoever opens
// the folder by hand.
type record struct {
	Format    int       `json:"format"`
	ID        string    `json:"id"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	SHA1      string    `json:"sha1,omitempty"` // empty in a first record
	ModTime   time.Time `json:"mod_time"`
	KeptAt    time.Time `json:"kept_at"`
	AccountID int64     `json:"account_id,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// recordOf and firstRecordOf are the names of the records of version id
// in the area.
func recordOf(id string) string      { return id + ".json" }
func firstRecordOf(id string) string { return id + ".json.tmp" }

// forget removes version id from area: its folder, then its records.
func forget(area *os.Root, id string) error {
	if err := area.RemoveAll(id); err != nil {
		return writeError(path.Join(VersionsDir, id), err)
	}
	for _, name := range []string{recordOf(id), firstRecordOf(id)} {
		if err := area.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return writeError(path.Join(VersionsDir, name), err)
		}
	}
	return nil
}

// versionID matches the IDs Keep makes: the time it was kept (UTC, to the
// microsecond) and a random part; URL-safe and sorted by time.
var versionID = regexp.MustCompile(`^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$`)

func newVersionID(at time.Time) string {
	var b [6]byte
	rand.Read(b[:])
	stamp := strings.Replace(at.UTC().Format("20060102T150405.000000"), ".", "", 1)
	return stamp + "Z-" + hex.EncodeToString(b[:])
}

// Keep moves the library file at p into the versions area; see
// ports.VersionStore. EINVALID for a bad path, a path inside the area or
// something that is not a regular file; ENOTFOUND when p does not exist.
// A full or read-only disk is EUNAVAILABLE with its cause.
func (s *VersionStore) Keep(ctx context.Context, p string, accountID int64, reason string) (v domain.Version, err error) {
	defer func() { err = diskError(s.root, p, err) }()
	if err := ctx.Err(); err != nil {
		return domain.Version{}, err
	}
	if err := checkPath(p); err != nil {
		return domain.Version{}, err
	}
	if p == ".photosync" || strings.HasPrefix(p, ".photosync/") {
		return domain.Version{}, domain.Errorf(domain.EINVALID, "%s is in the versions area", p)
	}
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return domain.Version{}, (&Library{root: s.root}).rootError(err)
	}
	defer root.Close()
	fi, err := root.Lstat(p)
	if err != nil {
		return domain.Version{}, writeError(p, err)
	}
	if !fi.Mode().IsRegular() {
		return domain.Version{}, domain.Errorf(domain.EINVALID, "%s is not a file", p)
	}
	area, err := openArea(root, true)
	if err != nil {
		return domain.Version{}, err
	}
	defer area.Close()

	// Prune and Restore wait until the file has moved: Prune removes
	// folders without a record, which this one is for a moment.
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	now := s.clock.Now()
	id := newVersionID(now)
	rec := record{Format: 1, ID: id, Path: p, Size: fi.Size(), ModTime: fi.ModTime(), KeptAt: now, AccountID: accountID, Reason: reason}
	if err := area.Mkdir(id, 0o755); err != nil {
		return domain.Version{}, writeError(path.Join(VersionsDir, id), err)
	}
	_ = fsyncDir(area, ".")
	// The first record is on disk before the file moves.
	if err := s.step("record"); err != nil {
		forget(area, id)
		return domain.Version{}, writeError(p, err)
	}
	if err := writeRecord(area, firstRecordOf(id), rec); err != nil {
		forget(area, id)
		return domain.Version{}, err
	}
	data := path.Join(VersionsDir, id, path.Base(p))
	err = s.step("move")
	if err == nil {
		err = root.Rename(p, data)
	}
	if errors.Is(err, syscall.EXDEV) {
		err = copyOut(root, p, data) // p is on another disk mounted in the library
	}
	if err != nil {
		forget(area, id)
		return domain.Version{}, writeError(p, err)
	}
	_ = fsyncDir(root, path.Dir(p))
	_ = fsyncDir(area, id)
	s.mu.Unlock()
	locked = false

	// The file is kept; what follows completes its record. A failure
	// here loses nothing: List completes a first record by hashing.
	if err := complete(area, &rec); err != nil {
		return domain.Version{}, err
	}
	if err := writeRecord(area, recordOf(id), rec); err == nil {
		area.Remove(firstRecordOf(id))
		_ = fsyncDir(area, ".")
	}
	return rec.version(), nil
}

func (s *VersionStore) step(op string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(op)
}

// List returns the kept versions, newest first (by the time they were
// kept, then by ID). Folders of the area that hold no file (a Keep that
// never moved its file, a Restore that was interrupted) are passed over.
func (s *VersionStore) List(ctx context.Context) ([]domain.Version, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Version, 0, len(recs))
	for _, r := range recs {
		if r.data {
			out = append(out, r.version())
		}
	}
	return out, nil
}

// Prune removes the versions kept before cutoff, with what interrupted
// steps left as old (records whose file is gone), and the empty folders
// without a record, and returns how many versions it removed.
func (s *VersionStore) Prune(ctx context.Context, cutoff time.Time) (n int, err error) {
	defer func() { err = diskError(s.root, VersionsDir, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, err := s.records(ctx)
	if err != nil {
		return 0, err
	}
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return 0, (&Library{root: s.root}).rootError(err)
	}
	defer root.Close()
	area, err := openArea(root, false)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer area.Close()
	recorded := map[string]bool{}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		recorded[r.ID] = true
		if !r.KeptAt.Before(cutoff) {
			continue
		}
		if err := forget(area, r.ID); err != nil {
			return n, err
		}
		if r.data {
			n++
		}
	}
	// A folder without a record holds nothing once its Keep stopped
	// before its first record, or its Restore after moving the file.
	entries, err := fs.ReadDir(area.FS(), ".")
	if err != nil {
		return n, writeError(VersionsDir, err)
	}
	for _, e := range entries {
		if e.IsDir() && versionID.MatchString(e.Name()) && !recorded[e.Name()] {
			area.Remove(e.Name()) // only when empty
		}
	}
	_ = fsyncDir(area, ".")
	return n, nil
}

// found is a version folder as records reads it.
type found struct {
	record
	data bool // its file is there
}

// records reads every version folder of the area, newest first, each
// first record completed by hashing its file. A missing area has none.
func (s *VersionStore) records(ctx context.Context) ([]found, error) {
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return nil, (&Library{root: s.root}).rootError(err)
	}
	defer root.Close()
	area, err := openArea(root, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer area.Close()
	entries, err := fs.ReadDir(area.FS(), ".")
	if err != nil {
		return nil, writeError(VersionsDir, err)
	}
	var out []found
	seen := map[string]bool{}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, _, _ := strings.Cut(e.Name(), ".")
		if seen[id] || !versionID.MatchString(id) {
			continue
		}
		seen[id] = true
		f, err := readVersion(area, id)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	slices.SortFunc(out, func(a, b found) int {
		if c := b.KeptAt.Compare(a.KeptAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// readVersion reads version id of area: nil when it has no record (a
// Keep that stopped before its first record was written) or one that
// cannot be read (its folder is left as it is, for a person to look at).
func readVersion(area *os.Root, id string) (*found, error) {
	var rec record
	raw, err := area.ReadFile(recordOf(id))
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = area.ReadFile(firstRecordOf(id))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, writeError(path.Join(VersionsDir, id), err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.ID != id || checkPath(rec.Path) != nil {
		return nil, nil
	}
	f := &found{record: rec}
	fi, err := area.Lstat(path.Join(id, path.Base(rec.Path)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, writeError(path.Join(VersionsDir, id), err)
	case !fi.Mode().IsRegular():
		return f, nil
	}
	f.data = true
	if rec.SHA1 == "" || rec.Size != fi.Size() {
		if err := complete(area, &f.record); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// complete sets the size, modification time and SHA-1 of rec from its
// file in area.
func complete(area *os.Root, rec *record) error {
	name := path.Join(rec.ID, path.Base(rec.Path))
	f, err := area.Open(name)
	if err != nil {
		return writeError(path.Join(VersionsDir, name), err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return writeError(path.Join(VersionsDir, name), err)
	}
	sum, err := hashFile(f)
	if err != nil {
		return writeError(path.Join(VersionsDir, name), err)
	}
	rec.Size, rec.ModTime, rec.SHA1 = fi.Size(), fi.ModTime(), sum
	return nil
}

// writeRecord writes rec to name in area durably: a temporary file
// synced, then renamed into place.
func writeRecord(area *os.Root, name string, rec record) error {
	raw, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := name + ".new"
	f, err := area.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return writeError(path.Join(VersionsDir, name), err)
	}
	_, err = f.Write(append(raw, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = area.Rename(tmp, name)
	}
	if err != nil {
		area.Remove(tmp)
		return writeError(path.Join(VersionsDir, name), err)
	}
	return nil
}

func (r record) version() domain.Version {
	return domain.Version{ID: r.ID, Path: r.Path, Size: r.Size, SHA1: r.SHA1, ModTime: r.ModTime, KeptAt: r.KeptAt, AccountID: r.AccountID, Reason: r.Reason}
}

// openArea opens the versions area of root, creating it when create is
// set. Its two folders must be folders, not links: a link could send the
// kept files elsewhere in the library, or onto another disk where a
// rename is no longer atomic.
func openArea(root *os.Root, create bool) (*os.Root, error) {
	if create {
		if err := root.MkdirAll(VersionsDir, 0o755); err != nil {
			return nil, writeError(VersionsDir, err)
		}
	}
	for _, dir := range []string{path.Dir(VersionsDir), VersionsDir} {
		fi, err := root.Lstat(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && !create {
				return nil, err
			}
			return nil, writeError(dir, err)
		}
		if !fi.IsDir() {
			return nil, domain.Errorf(domain.ECONFLICT, "%s in the library is not a folder (a link or a file is in the way of the versions area)", dir)
		}
	}
	area, err := root.OpenRoot(VersionsDir)
	if err != nil {
		return nil, writeError(VersionsDir, err)
	}
	return area, nil
}

// copyOut copies the file from to to (both in root) and removes from,
// for a file that a rename cannot move because it is on another disk.
func copyOut(root *os.Root, from, to string) error {
	src, err := root.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	dst, err := root.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	_, err = io.CopyBuffer(dst, src, *buf)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Chtimes(to, time.Time{}, fi.ModTime())
	}
	if err != nil {
		root.Remove(to)
		return err
	}
	_ = fsyncDir(root, path.Dir(to))
	return root.Remove(from)
}
