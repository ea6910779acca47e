package localfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// TestWriteLargeFile: a file large enough to be hashed beside its writes
// and written back to disk on the way gets the same checks as a photo.
func TestWriteLargeFile(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	data := randomBytes(t, 40<<20+12345)
	old := []byte("the complete old version")
	writeFiles(t, lib, map[string]string{"v/old.mp4": string(old)})

	// Small reads, as from a socket, and one read of it all.
	for _, body := range []io.Reader{io.LimitReader(bytes.NewReader(data), 1<<62), bytes.NewReader(data)} {
		sum, err := w.WriteFile(ctx, "v/video.mp4", body, int64(len(data)), modTime, domain.SHA1Checksum(sha1Hex(data)), true)
		if err != nil || sum != sha1Hex(data) {
			t.Fatalf("WriteFile of %d bytes: %s, %v", len(data), sum, err)
		}
		checkContent(t, filepath.Join(lib, "v", "video.mp4"), data)
	}
	for _, tc := range []struct {
		name    string
		body    io.Reader
		size    int64
		sha1    domain.Checksum
		code    string
		message string
	}{
		{"short", bytes.NewReader(data[:len(data)-1]), int64(len(data)), domain.Checksum{}, domain.EINVALID, "received 41955384 of 41955385 bytes"},
		{"long", bytes.NewReader(data), int64(len(data) - 1), domain.Checksum{}, domain.EINVALID, "more than the 41955384 bytes"},
		{"checksum", bytes.NewReader(data), int64(len(data)), domain.SHA1Checksum(sha1Hex(old)), domain.EINVALID, "SHA-1"},
		{"broken", io.MultiReader(bytes.NewReader(data[:30<<20]), errReader{io.ErrUnexpectedEOF}), int64(len(data)), domain.Checksum{}, domain.EINTERNAL, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.WriteFile(ctx, "v/old.mp4", tc.body, tc.size, modTime, tc.sha1, true)
			if domain.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("WriteFile = %v (%s), want %s with %q", err, domain.ErrorCode(err), tc.code, tc.message)
			}
			checkContent(t, filepath.Join(lib, "v", "old.mp4"), old)
			checkOnly(t, lib, "v/old.mp4", "v/video.mp4")
		})
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := w.WriteFile(cctx, "v/cancelled.mp4", &cancelReader{r: bytes.NewReader(data), after: len(data) / 2, cancel: cancel},
		int64(len(data)), modTime, domain.Checksum{}, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFile cancelled halfway = %v, want context.Canceled", err)
	}
	checkOnly(t, lib, "v/old.mp4", "v/video.mp4")
}
