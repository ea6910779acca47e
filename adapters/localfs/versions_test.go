package localfs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports/porttest"
)

// testClock is a clock the tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newVersions(t *testing.T) (*localfs.VersionStore, string, *testClock) {
	t.Helper()
	lib := t.TempDir()
	clock := &testClock{now: time.Date(2026, 12, 7, 19, 0, 0, 123456000, time.UTC)}
	return localfs.NewVersionStore(lib, clock), lib, clock
}

func TestVersionStoreContract(t *testing.T) {
	porttest.TestVersionStore(t, func(t *testing.T) porttest.VersionFixture {
		s, lib, clock := newVersions(t)
		return porttest.VersionFixture{Store: s, Library: os.DirFS(lib), Now: clock.Now, Advance: clock.Advance,
			WriteFile: func(p string, data []byte, mtime time.Time) error {
				full := filepath.Join(lib, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(full, data, 0o644); err != nil {
					return err
				}
				return os.Chtimes(full, time.Time{}, mtime)
			},
			RemoveAll: func(p string) error { return os.RemoveAll(filepath.Join(lib, filepath.FromSlash(p))) },
		}
	})
}

// TestVersionsAreHiddenFromTheIndex: kept files live in the library's
// hidden versions area, which a walk of the library never enters.
func TestVersionsAreHiddenFromTheIndex(t *testing.T) {
	ctx := context.Background()
	s, lib, _ := newVersions(t)
	writeFiles(t, lib, map[string]string{"2024/IMG_1.jpg": "old", "2024/IMG_2.jpg": "other"})
	v, err := s.Keep(ctx, "2024/IMG_1.jpg", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(lib, ".photosync", "versions", v.ID, "IMG_1.jpg")); err != nil {
		t.Fatalf("the kept file is not in the versions area under its own name: %v", err)
	}
	var walked []string
	if err := localfs.NewLibrary(lib).Walk(ctx, func(fi domain.FileInfo) error {
		walked = append(walked, fi.Path)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(walked, ",") != "2024/IMG_2.jpg" {
		t.Errorf("the walk found %v, want only 2024/IMG_2.jpg", walked)
	}
	if _, err := s.Keep(ctx, ".photosync/versions/"+v.ID+"/IMG_1.jpg", 0, ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Keep of a file in the versions area = %v, want EINVALID", err)
	}
}

// TestKeepCrashBeforeTheFullRecord: a process killed after the file moved
// into the area but before its full record was written leaves the first
// record; List still finds the version, with the hash of its file, and
// Restore brings it back.
func TestKeepCrashBeforeTheFullRecord(t *testing.T) {
	ctx := context.Background()
	s, lib, _ := newVersions(t)
	writeFiles(t, lib, map[string]string{"a/IMG_1.jpg": "kept bytes"})
	v, err := s.Keep(ctx, "a/IMG_1.jpg", 3, "test")
	if err != nil {
		t.Fatal(err)
	}
	area := filepath.Join(lib, ".photosync", "versions")
	// What the crash leaves: the first record (no hash), the file moved.
	full, err := os.ReadFile(filepath.Join(area, v.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Replace(string(full), `"sha1": "`+v.SHA1+`",`, "", 1)
	if first == string(full) {
		t.Fatalf("the record does not hold the SHA-1 as expected:\n%s", full)
	}
	if err := os.WriteFile(filepath.Join(area, v.ID+".json.tmp"), []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(area, v.ID+".json")); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].SHA1 != sha1Hex([]byte("kept bytes")) || list[0].Path != "a/IMG_1.jpg" || list[0].AccountID != 3 {
		t.Fatalf("List after the crash = %+v, %v; want the version with its hash", list, err)
	}
	if got, err := s.Restore(ctx, v.ID); err != nil || got != "a/IMG_1.jpg" {
		t.Fatalf("Restore = %q, %v", got, err)
	}
	checkContent(t, filepath.Join(lib, "a", "IMG_1.jpg"), []byte("kept bytes"))

	// A crash before the file moved: a first record and no file. The
	// version is not listed (the file is still in the library), and
	// Prune clears the folder once it is old.
	id := "20261207T190000000000Z-0123456789ab"
	writeFiles(t, lib, map[string]string{".photosync/versions/" + id + ".json.tmp": `{"format":1,"id":"` + id + `","path":"b.jpg","kept_at":"2026-12-07T19:00:00Z"}`})
	if err := os.Mkdir(filepath.Join(area, id), 0o755); err != nil {
		t.Fatal(err)
	}
	// And a Keep that stopped before its first record: an empty folder.
	bare := "20261207T190000000001Z-0123456789ab"
	if err := os.Mkdir(filepath.Join(area, bare), 0o755); err != nil {
		t.Fatal(err)
	}
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("List with version folders without their file = %+v, %v; want none", list, err)
	}
	if n, err := s.Prune(ctx, time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("Prune = %d, %v; want 0 versions", n, err)
	}
	checkOnly(t, area)
	if entries, _ := os.ReadDir(area); len(entries) != 0 {
		t.Errorf("the versions area still holds %v after Prune", entries)
	}
}

// TestVersionsAreaIsNotALink: a link in place of the versions area is
// refused rather than followed.
func TestVersionsAreaIsNotALink(t *testing.T) {
	ctx := context.Background()
	s, lib, _ := newVersions(t)
	writeFiles(t, lib, map[string]string{"IMG_1.jpg": "x", "elsewhere/keep.txt": "y"})
	if err := os.Symlink("elsewhere", filepath.Join(lib, ".photosync")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keep(ctx, "IMG_1.jpg", 0, ""); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("Keep with .photosync a link = %v, want ECONFLICT", err)
	}
	checkContent(t, filepath.Join(lib, "IMG_1.jpg"), []byte("x"))
	checkOnly(t, filepath.Join(lib, "elsewhere"), "keep.txt")
}

// TestVersionsDiskErrors: a full or read-only disk while keeping reaches
// the caller with its cause, and the file stays where it was.
func TestVersionsDiskErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		op   string
		err  syscall.Errno
		code string
		msg  string
	}{
		{"record", syscall.ENOSPC, domain.EUNAVAILABLE, "no space left on the library disk at "},
		{"move", syscall.EROFS, domain.EUNAVAILABLE, "read-only file system at "},
	} {
		s, lib, _ := newVersions(t)
		localfs.SetVersionFault(s, func(op string) error {
			if op == c.op {
				return &os.PathError{Op: "write", Path: "x", Err: c.err}
			}
			return nil
		})
		writeFiles(t, lib, map[string]string{"IMG_1.jpg": "x"})
		_, err := s.Keep(ctx, "IMG_1.jpg", 0, "")
		if domain.ErrorCode(err) != c.code || domain.ErrorMessage(err) != c.msg+lib {
			t.Errorf("Keep with %v at %s = %s %q, want %s %q", c.err, c.op, domain.ErrorCode(err), domain.ErrorMessage(err), c.code, c.msg+lib)
		}
		checkContent(t, filepath.Join(lib, "IMG_1.jpg"), []byte("x"))
		if list, err := s.List(ctx); err != nil || len(list) != 0 {
			t.Errorf("List after a failed Keep = %+v, %v", list, err)
		}
	}
}

// TestRestoreDiskError: a restore that meets a read-only disk says so and
// keeps the version.
func TestRestoreDiskError(t *testing.T) {
	ctx := context.Background()
	s, lib, _ := newVersions(t)
	writeFiles(t, lib, map[string]string{"a/IMG_1.jpg": "x"})
	v, err := s.Keep(ctx, "a/IMG_1.jpg", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	localfs.SetVersionFault(s, func(op string) error {
		if op == "restore" {
			return &os.PathError{Op: "link", Path: "x", Err: syscall.EROFS}
		}
		return nil
	})
	if _, err := s.Restore(ctx, v.ID); domain.ErrorCode(err) != domain.EUNAVAILABLE || domain.ErrorMessage(err) != "read-only file system at "+lib {
		t.Errorf("Restore on a read-only disk = %s %q", domain.ErrorCode(err), domain.ErrorMessage(err))
	}
	if list, err := s.List(ctx); err != nil || len(list) != 1 || list[0].ID != v.ID {
		t.Errorf("versions after the failed restore: %+v, %v", list, err)
	}
}

// TestKeepAFileNamedLikeARecord: a file whose name is that of a record
// (version.json, <id>.json) is kept and restored like any other.
func TestKeepAFileNamedLikeARecord(t *testing.T) {
	ctx := context.Background()
	s, lib, _ := newVersions(t)
	writeFiles(t, lib, map[string]string{"a/version.json": "mine", "a/version.json.tmp": "mine too"})
	var kept []string
	for _, p := range []string{"a/version.json", "a/version.json.tmp"} {
		v, err := s.Keep(ctx, p, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, v.ID)
	}
	for _, id := range kept {
		if _, err := s.Restore(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	checkContent(t, filepath.Join(lib, "a", "version.json"), []byte("mine"))
	checkContent(t, filepath.Join(lib, "a", "version.json.tmp"), []byte("mine too"))
}
