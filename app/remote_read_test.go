//go:build !wasm

// The Nextcloud test server needs sockets, which wasip1 has not.

package app

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

func sha1Of(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// damagedNextcloud is a Nextcloud holding /good.jpg and /bad.jpg, both
// with their right SHA-1, whose downloads of /bad.jpg arrive damaged.
func damagedNextcloud(t *testing.T) (ports.RemoteStorage, []byte) {
	t.Helper()
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(davtest.CorruptGET("/bad.jpg")))
	st, err := webdav.NewConnector(nil).Open(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password, Timeout: 10 * time.Second}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("photo "), 1000)
	for _, p := range []string{"/good.jpg", "/bad.jpg"} {
		if err := st.Upload(context.Background(), p, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{SHA1: sha1Of(data)}); err != nil {
			t.Fatal(err)
		}
	}
	return st, data
}

// TestReadRemoteChecksTheAnnouncedSHA1: the app's one reader of a
// server's files hashes what it reads and fails at the end when the bytes
// are not those of the SHA-1 the server announced with them (the check
// the storage leaves to its caller); the right bytes pass.
func TestReadRemoteChecksTheAnnouncedSHA1(t *testing.T) {
	ctx := context.Background()
	st, data := damagedNextcloud(t)
	sum := sha1Of(data)

	got, n, err := readRemoteSHA1(ctx, st, "/good.jpg")
	if err != nil || got != sum || n != int64(len(data)) {
		t.Fatalf("readRemoteSHA1 of a sound download = %s, %d bytes, %v; want %s, %d", got, n, err, sum, len(data))
	}
	var b []byte
	_, _, err = readRemote(ctx, st, "/bad.jpg", func(r io.Reader) (err error) {
		b, err = io.ReadAll(r)
		return err
	})
	want := "checksum mismatch: the server's SHA1:" + sum + " differs from the bytes received (SHA1:" + sha1Of(b) + ") for /bad.jpg"
	if domain.ErrorCode(err) != domain.EINVALID || !domain.IsRemote(err) || !strings.Contains(err.Error(), want) {
		t.Fatalf("reading a damaged download: %v, want a remote EINVALID %q", err, want)
	}
	if len(b) != len(data) {
		t.Fatalf("read %d bytes, want all %d before the error", len(b), len(data))
	}
	if got, _, err := readRemoteSHA1(ctx, st, "/bad.jpg"); err == nil || got != "" {
		t.Fatalf("readRemoteSHA1 of a damaged download = %q, %v; want the mismatch", got, err)
	}

	// A reader that stops before the end gets no SHA-1, and no error.
	got, n, err = readRemote(ctx, st, "/bad.jpg", func(r io.Reader) error {
		_, err := io.ReadFull(r, make([]byte, 10))
		return err
	})
	if err != nil || got != "" || n != 10 {
		t.Fatalf("a read stopped after 10 bytes = %q, %d, %v; want no SHA-1, 10 bytes, no error", got, n, err)
	}
}

// TestRestoreWriteChecksTheAnnouncedSHA1: a restore's download into the
// library is checked by the library writer against the SHA-1 the server
// announced: damaged bytes never get a name in the library.
func TestRestoreWriteChecksTheAnnouncedSHA1(t *testing.T) {
	ctx := context.Background()
	st, data := damagedNextcloud(t)
	lib := t.TempDir()
	r := &Restorer{writer: localfs.NewWriter(lib)}
	file := func(p string) domain.RemoteFile {
		return domain.RemoteFile{Path: p, Name: p[1:], Size: int64(len(data))}
	}
	if sum, err := r.write(ctx, st, file("/good.jpg"), "good.jpg"); err != nil || sum != sha1Of(data) {
		t.Fatalf("restore of a sound download = %s, %v", sum, err)
	}
	_, err := r.write(ctx, st, file("/bad.jpg"), "bad.jpg")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "not the "+sha1Of(data)+" announced") {
		t.Fatalf("restore of a damaged download: %v, want EINVALID naming the announced SHA-1", err)
	}
	libraryHolds(t, lib, map[string][]byte{"good.jpg": data})
}
