package porttest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// VersionFixture is a VersionStore over a library folder of its own.
type VersionFixture struct {
	Store ports.VersionStore
	// Library reads the library folder whose files Store keeps.
	Library fs.FS
	// WriteFile writes a library file (creating its folders) with a
	// modification time; RemoveAll removes a library path and all below.
	WriteFile func(p string, data []byte, mtime time.Time) error
	RemoveAll func(p string) error
	// Now and Advance read and move the clock Store reads.
	Now     func() time.Time
	Advance func(time.Duration)
}

// TestVersionStore runs the VersionStore contract. newFixture must return
// a store with no versions, over an empty library folder, each time.
//
// Besides ports.VersionStore, the suite expects IDs that are safe in a URL
// path as they are; KeptAt to be the clock's time at Keep; a version's
// ModTime to be its file's modification time (to the second at least),
// restored with it; a restored file beside its path to stay in the same
// folder with its extension, its name within 255 bytes and saying
// "restored"; and an id that was never given, or whose version was
// restored, to be ENOTFOUND (or EINVALID when it cannot be an ID).
func TestVersionStore(t *testing.T, newFixture func(t *testing.T) VersionFixture) {
	ctx := context.Background()
	mtime := time.Date(2023, 8, 14, 9, 26, 53, 0, time.UTC)

	t.Run("KeepMovesTheFileAndRecordsIt", func(t *testing.T) {
		f := newFixture(t)
		data := []byte("the photo as it was")
		writeLib(t, f, "2024/IMG_1.jpg", data, mtime)
		v, err := f.Store.Keep(ctx, "2024/IMG_1.jpg", 7, "replaced by the server's version")
		if err != nil {
			t.Fatalf("Keep: %v", err)
		}
		want := domain.Version{ID: v.ID, Path: "2024/IMG_1.jpg", Size: int64(len(data)), SHA1: sha1Of(data), ModTime: mtime,
			KeptAt: f.Now(), AccountID: 7, Reason: "replaced by the server's version"}
		checkVersion(t, "Keep", v, want)
		if v.ID == "" || v.ID == "." || v.ID == ".." || url.PathEscape(v.ID) != v.ID {
			t.Errorf("ID %q is not safe in a URL path", v.ID)
		}
		if _, err := fs.Stat(f.Library, "2024/IMG_1.jpg"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the file is still at its path after Keep (%v)", err)
		}
		list := mustVersions(t, f.Store)
		if len(list) != 1 {
			t.Fatalf("List = %d versions, want 1", len(list))
		}
		checkVersion(t, "List", list[0], want)
	})

	t.Run("KeepRefuses", func(t *testing.T) {
		f := newFixture(t)
		writeLib(t, f, "a/IMG_1.jpg", []byte("x"), mtime)
		for _, c := range []struct{ path, code string }{
			{"a/missing.jpg", domain.ENOTFOUND},
			{"missing/IMG_1.jpg", domain.ENOTFOUND},
			{"a", domain.EINVALID},
			{"../a/IMG_1.jpg", domain.EINVALID},
			{"/a/IMG_1.jpg", domain.EINVALID},
			{"", domain.EINVALID},
		} {
			if _, err := f.Store.Keep(ctx, c.path, 0, ""); domain.ErrorCode(err) != c.code {
				t.Errorf("Keep(%q) = %v, want %s", c.path, err, c.code)
			}
		}
		if list := mustVersions(t, f.Store); len(list) != 0 {
			t.Errorf("List after refused Keeps = %+v, want none", list)
		}
		checkLib(t, f, "a/IMG_1.jpg", []byte("x"))
	})

	t.Run("ListNewestFirst", func(t *testing.T) {
		f := newFixture(t)
		var kept []domain.Version
		for i, p := range []string{"a.jpg", "b/c.jpg", "a.jpg"} {
			writeLib(t, f, p, []byte{byte(i)}, mtime)
			v, err := f.Store.Keep(ctx, p, int64(i), "")
			if err != nil {
				t.Fatalf("Keep %d: %v", i, err)
			}
			kept = append(kept, v)
			f.Advance(time.Minute)
		}
		list := mustVersions(t, f.Store)
		if len(list) != 3 {
			t.Fatalf("List = %d versions, want 3", len(list))
		}
		for i := range list {
			checkVersion(t, "List", list[i], kept[2-i])
		}
		if kept[0].ID == kept[2].ID {
			t.Errorf("two versions of a.jpg share the ID %s", kept[0].ID)
		}
	})

	t.Run("RestoreToAFreePath", func(t *testing.T) {
		f := newFixture(t)
		data := []byte("original bytes")
		writeLib(t, f, "x/y/IMG_2.dng", data, mtime)
		v, err := f.Store.Keep(ctx, "x/y/IMG_2.dng", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveAll("x"); err != nil {
			t.Fatal(err)
		}
		got, err := f.Store.Restore(ctx, v.ID)
		if err != nil || got != "x/y/IMG_2.dng" {
			t.Fatalf("Restore = %q, %v; want x/y/IMG_2.dng", got, err)
		}
		checkLib(t, f, "x/y/IMG_2.dng", data)
		if fi, err := fs.Stat(f.Library, "x/y/IMG_2.dng"); err != nil || !fi.ModTime().Equal(mtime) {
			t.Errorf("restored modification time: %v, want %v", err, mtime)
		}
		if list := mustVersions(t, f.Store); len(list) != 0 {
			t.Errorf("List after Restore = %+v, want none", list)
		}
		if _, err := f.Store.Restore(ctx, v.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("Restore of a restored version = %v, want ENOTFOUND", err)
		}
	})

	t.Run("RestoreBesideOtherBytes", func(t *testing.T) {
		f := newFixture(t)
		first, second, now := []byte("first"), []byte("second"), []byte("the current one")
		writeLib(t, f, "d/IMG_3.jpg", first, mtime)
		v1, err := f.Store.Keep(ctx, "d/IMG_3.jpg", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		writeLib(t, f, "d/IMG_3.jpg", second, mtime)
		v2, err := f.Store.Keep(ctx, "d/IMG_3.jpg", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		writeLib(t, f, "d/IMG_3.jpg", now, mtime)
		seen := map[string]bool{}
		for _, c := range []struct {
			v    domain.Version
			data []byte
		}{{v1, first}, {v2, second}} {
			got, err := f.Store.Restore(ctx, c.v.ID)
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			base := path.Base(got)
			if path.Dir(got) != "d" || !strings.HasSuffix(base, ".jpg") || !strings.Contains(base, "restored") || seen[got] || got == "d/IMG_3.jpg" {
				t.Errorf("restored to %q: want a new name saying restored beside d/IMG_3.jpg", got)
			}
			seen[got] = true
			checkLib(t, f, got, c.data)
		}
		checkLib(t, f, "d/IMG_3.jpg", now)
	})

	t.Run("RestoreOverIdenticalBytes", func(t *testing.T) {
		f := newFixture(t)
		data := []byte("same bytes")
		writeLib(t, f, "IMG_4.jpg", data, mtime)
		v, err := f.Store.Keep(ctx, "IMG_4.jpg", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		writeLib(t, f, "IMG_4.jpg", data, mtime.Add(time.Hour))
		if got, err := f.Store.Restore(ctx, v.ID); err != nil || got != "IMG_4.jpg" {
			t.Fatalf("Restore over the same bytes = %q, %v; want IMG_4.jpg", got, err)
		}
		checkLib(t, f, "IMG_4.jpg", data)
		if list := mustVersions(t, f.Store); len(list) != 0 {
			t.Errorf("List after Restore = %+v, want none", list)
		}
	})

	t.Run("RestoreKeepsLongNamesWithin255Bytes", func(t *testing.T) {
		f := newFixture(t)
		name := "long/" + strings.Repeat("é", 123) + ".jpeg" // 251 bytes
		writeLib(t, f, name, []byte("old"), mtime)
		v, err := f.Store.Keep(ctx, name, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		writeLib(t, f, name, []byte("new"), mtime)
		got, err := f.Store.Restore(ctx, v.ID)
		if err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if base := path.Base(got); len(base) > 255 || !utf8.ValidString(base) || got == name {
			t.Errorf("restored to %q (%d bytes)", got, len(base))
		}
		checkLib(t, f, got, []byte("old"))
	})

	t.Run("RestoreUnknown", func(t *testing.T) {
		f := newFixture(t)
		for _, id := range []string{"20261207T194700000000Z-000000000000", "nope", "../x", ""} {
			if _, err := f.Store.Restore(ctx, id); domain.ErrorCode(err) != domain.ENOTFOUND && domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Restore(%q) = %v, want ENOTFOUND or EINVALID", id, err)
			}
		}
	})

	t.Run("PruneByCutoff", func(t *testing.T) {
		f := newFixture(t)
		start := f.Now()
		writeLib(t, f, "old.jpg", []byte("old"), mtime)
		if _, err := f.Store.Keep(ctx, "old.jpg", 0, ""); err != nil {
			t.Fatal(err)
		}
		f.Advance(2 * time.Hour)
		writeLib(t, f, "new.jpg", []byte("new"), mtime)
		newer, err := f.Store.Keep(ctx, "new.jpg", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.Store.Prune(ctx, start.Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("Prune before both = %d, %v; want 0", n, err)
		}
		if n, err := f.Store.Prune(ctx, start.Add(time.Hour)); err != nil || n != 1 {
			t.Errorf("Prune(start+1h) = %d, %v; want 1", n, err)
		}
		list := mustVersions(t, f.Store)
		if len(list) != 1 || list[0].ID != newer.ID {
			t.Fatalf("List after Prune = %+v, want only %s", list, newer.ID)
		}
		if n, err := f.Store.Prune(ctx, f.Now().Add(time.Second)); err != nil || n != 1 {
			t.Errorf("Prune(after all) = %d, %v; want 1", n, err)
		}
		if list := mustVersions(t, f.Store); len(list) != 0 {
			t.Errorf("List after pruning all = %+v", list)
		}
	})
}

func writeLib(t *testing.T, f VersionFixture, p string, data []byte, mtime time.Time) {
	t.Helper()
	if err := f.WriteFile(p, data, mtime); err != nil {
		t.Fatal(err)
	}
}

func checkLib(t *testing.T, f VersionFixture, p string, want []byte) {
	t.Helper()
	got, err := fs.ReadFile(f.Library, p)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s holds %q (%v), want %q", p, got, err, want)
	}
}

func sha1Of(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func mustVersions(t *testing.T, s ports.VersionStore) []domain.Version {
	t.Helper()
	list, err := s.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return list
}

func checkVersion(t *testing.T, what string, got, want domain.Version) {
	t.Helper()
	if got.ID != want.ID || got.Path != want.Path || got.Size != want.Size || got.SHA1 != want.SHA1 ||
		!got.ModTime.Truncate(time.Second).Equal(want.ModTime.Truncate(time.Second)) || !got.KeptAt.Equal(want.KeptAt) ||
		got.AccountID != want.AccountID || got.Reason != want.Reason {
		t.Errorf("%s = %+v\nwant %+v", what, got, want)
	}
}
