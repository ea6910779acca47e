package localfs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

var modTime = time.Date(2023, 8, 14, 9, 26, 53, 0, time.UTC)

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// libraryFiles lists every entry below dir (slash-separated, sorted),
// temporary files included, so a test sees what a write left behind.
func libraryFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkContent(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %d bytes, want the %d expected", p, len(got), len(want))
	}
}

func checkOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := libraryFiles(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the library holds %q, want %q", got, want)
	}
}

func TestWriteFile(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	data := randomBytes(t, 100_000)

	sum, err := w.WriteFile(ctx, "nextcloud/2023/08/IMG_1.jpg", bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, false)
	if err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	if sum != sha1Hex(data) {
		t.Errorf("WriteFile returned SHA-1 %s, want %s", sum, sha1Hex(data))
	}
	p := filepath.Join(lib, "nextcloud", "2023", "08", "IMG_1.jpg")
	checkContent(t, p, data)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(modTime) {
		t.Errorf("modification time %v, want %v", fi.ModTime(), modTime)
	}
	if fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("mode %v: the owner cannot read and write", fi.Mode())
	}
	checkOnly(t, lib, "nextcloud/2023/08/IMG_1.jpg")

	// A wanted checksum as servers give it, and the empty file.
	if _, err := w.WriteFile(ctx, "b.jpg", bytes.NewReader(data), int64(len(data)), time.Time{}, domain.Checksum{Algo: "sha1", Hex: strings.ToUpper(sha1Hex(data))}, false); err != nil {
		t.Fatalf("WriteFile with a matching checksum: %v", err)
	}
	if _, err := w.WriteFile(ctx, "empty.xmp", strings.NewReader(""), 0, modTime, domain.SHA1Checksum(sha1Hex(nil)), false); err != nil {
		t.Fatalf("WriteFile of 0 bytes: %v", err)
	}
	checkOnly(t, lib, "b.jpg", "empty.xmp", "nextcloud/2023/08/IMG_1.jpg")
}

func TestWriteFileRefusesBadBytes(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	old := []byte("the complete old version")
	writeFiles(t, lib, map[string]string{"a/IMG_1.jpg": string(old)})
	data := randomBytes(t, 4096)

	for _, tc := range []struct {
		name    string
		body    io.Reader
		size    int64
		sha1    domain.Checksum
		code    string
		message string
	}{
		{"short", bytes.NewReader(data[:1200]), 4096, domain.Checksum{}, domain.EINVALID, "a/IMG_1.jpg: received 1200 of 4096 bytes"},
		{"long", bytes.NewReader(data), 4000, domain.Checksum{}, domain.EINVALID, "more than the 4000 bytes"},
		{"checksum", bytes.NewReader(data), 4096, domain.SHA1Checksum(sha1Hex(old)), domain.EINVALID, "SHA-1"},
		{"bad checksum", bytes.NewReader(data), 4096, domain.Checksum{Algo: domain.AlgoMD5, Hex: "abc"}, domain.EINVALID, "not a SHA-1"},
		{"negative size", bytes.NewReader(data), -1, domain.Checksum{}, domain.EINVALID, "not a size"},
		{"broken", io.MultiReader(bytes.NewReader(data[:2000]), errReader{io.ErrUnexpectedEOF}), 4096, domain.Checksum{}, domain.EINTERNAL, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.WriteFile(ctx, "a/IMG_1.jpg", tc.body, tc.size, modTime, tc.sha1, true)
			if domain.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("WriteFile = %v (%s), want %s with %q", err, domain.ErrorCode(err), tc.code, tc.message)
			}
			checkContent(t, filepath.Join(lib, "a", "IMG_1.jpg"), old)
			checkOnly(t, lib, "a/IMG_1.jpg")
		})
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// cancelReader cancels its context once half of the body has been read.
type cancelReader struct {
	r      io.Reader
	after  int
	read   int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 1024)])
	c.read += n
	if c.read >= c.after {
		c.cancel()
	}
	return n, err
}

func TestWriteFileCancelled(t *testing.T) {
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	data := randomBytes(t, 64*1024)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := w.WriteFile(ctx, "IMG_1.jpg", &cancelReader{r: bytes.NewReader(data), after: len(data) / 2, cancel: cancel},
		int64(len(data)), modTime, domain.Checksum{}, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFile = %v, want context.Canceled", err)
	}
	checkOnly(t, lib)
}

func TestWriteFileConflicts(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	writeFiles(t, lib, map[string]string{"a.jpg": "old", "dir/x.jpg": "x", "file.jpg": "f"})
	data := []byte("new")

	for _, tc := range []struct {
		path      string
		overwrite bool
		code      string
	}{
		{"a.jpg", false, domain.ECONFLICT},
		{"dir", true, domain.ECONFLICT},
		{"file.jpg/b.jpg", true, domain.ECONFLICT}, // a file where a folder must go
		{"../a.jpg", true, domain.EINVALID},
		{"/abs.jpg", true, domain.EINVALID},
		{"x/../a.jpg", true, domain.EINVALID},
		{"x//a.jpg", true, domain.EINVALID},
		{`x\a.jpg`, true, domain.EINVALID},
		{"", true, domain.EINVALID},
		{".", true, domain.EINVALID},
	} {
		_, err := w.WriteFile(ctx, tc.path, bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, tc.overwrite)
		if domain.ErrorCode(err) != tc.code {
			t.Errorf("WriteFile(%q, overwrite %v) = %v, want %s", tc.path, tc.overwrite, err, tc.code)
		}
	}
	checkContent(t, filepath.Join(lib, "a.jpg"), []byte("old"))
	checkOnly(t, lib, "a.jpg", "dir/x.jpg", "file.jpg")

	if _, err := w.WriteFile(ctx, "a.jpg", bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, true); err != nil {
		t.Fatalf("WriteFile with overwrite: %v", err)
	}
	checkContent(t, filepath.Join(lib, "a.jpg"), data)

	_, err := localfs.NewWriter(filepath.Join(lib, "missing")).WriteFile(ctx, "a.jpg", bytes.NewReader(data), 3, modTime, domain.Checksum{}, false)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("WriteFile into a missing library = %v, want ENOTFOUND", err)
	}
}

// TestWriteFileStaysInside: links inside the library that lead out of it
// are never written through.
func TestWriteFileStaysInside(t *testing.T) {
	ctx := context.Background()
	lib, outside := t.TempDir(), t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.jpg": "outside"})
	if err := os.Symlink(outside, filepath.Join(lib, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(lib, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	w := localfs.NewWriter(lib)
	data := []byte("written by photosync")

	for _, p := range []string{"out/a.jpg", "out/sub/a.jpg", "out/secret.jpg"} {
		_, err := w.WriteFile(ctx, p, bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, true)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("WriteFile(%s) through a link out of the library = %v, want EINVALID", p, err)
		}
	}
	_, err := w.WriteFile(ctx, "link.jpg", bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, false)
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("WriteFile onto a link without overwrite = %v, want ECONFLICT", err)
	}
	// With overwrite the link itself is replaced, not what it points to.
	if _, err := w.WriteFile(ctx, "link.jpg", bytes.NewReader(data), int64(len(data)), modTime, domain.Checksum{}, true); err != nil {
		t.Fatalf("WriteFile onto a link with overwrite: %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(lib, "link.jpg")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("link.jpg after the write: %v, %v; want a regular file", fi, err)
	}
	checkContent(t, filepath.Join(lib, "link.jpg"), data)
	checkOnly(t, outside, "secret.jpg")
	checkContent(t, filepath.Join(outside, "secret.jpg"), []byte("outside"))
}

func TestRename(t *testing.T) {
	ctx := context.Background()
	lib, outside := t.TempDir(), t.TempDir()
	writeFiles(t, lib, map[string]string{"a.jpg": "a", "b.jpg": "b", "dir/x.jpg": "x"})
	if err := os.Symlink(outside, filepath.Join(lib, "out")); err != nil {
		t.Fatal(err)
	}
	w := localfs.NewWriter(lib)

	if err := w.Rename(ctx, "a.jpg", "2024/05/a (conflict 2024-05-01 100000).jpg"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	checkContent(t, filepath.Join(lib, "2024", "05", "a (conflict 2024-05-01 100000).jpg"), []byte("a"))
	for _, tc := range []struct{ from, to, code string }{
		{"b.jpg", "dir/x.jpg", domain.ECONFLICT},
		{"gone.jpg", "c.jpg", domain.ENOTFOUND},
		{"dir", "dir2", domain.EINVALID},
		{"b.jpg", "out/b.jpg", domain.EINVALID},
		{"b.jpg", "../b.jpg", domain.EINVALID},
		{"/b.jpg", "c.jpg", domain.EINVALID},
	} {
		if err := w.Rename(ctx, tc.from, tc.to); domain.ErrorCode(err) != tc.code {
			t.Errorf("Rename(%s, %s) = %v, want %s", tc.from, tc.to, err, tc.code)
		}
	}
	checkContent(t, filepath.Join(lib, "dir", "x.jpg"), []byte("x"))
	checkContent(t, filepath.Join(lib, "b.jpg"), []byte("b"))
	checkOnly(t, outside)
}
