package webdav_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestDownloadLeavesTheCheckToTheCaller: the storage passes the bytes on
// as received, with the SHA-1 the server announced for them, and does not
// hash them: the caller checks them where it keeps them (the library
// writer; for other reads the app's readRemote, whose test is app's
// TestReadRemoteChecksTheAnnouncedSHA1 over this same corruption), so no
// byte is hashed twice.
func TestDownloadLeavesTheCheckToTheCaller(t *testing.T) {
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(davtest.CorruptGET("/bad.jpg")))
	s := openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud)(t)
	data := bytes.Repeat([]byte("photo "), 1000)
	sum := sha1Hex(data)
	for _, name := range []string{"/good.jpg", "/bad.jpg"} {
		if err := s.Upload(context.Background(), name, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{SHA1: sum}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) ([]byte, domain.RemoteFile, error) {
		rc, f, err := s.Download(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return b, f, err
	}
	b, f, err := read("/good.jpg")
	if err != nil || !bytes.Equal(b, data) || f.Checksum != domain.SHA1Checksum(sum) {
		t.Fatalf("good download: %v, checksum %q", err, f.Checksum)
	}
	b, f, err = read("/bad.jpg")
	if err != nil || len(b) != len(data) || bytes.Equal(b, data) || f.Checksum != domain.SHA1Checksum(sum) {
		t.Fatalf("corrupted download: %v, %d bytes (the uploaded ones: %v), checksum %q; want all %d bytes as received and SHA1:%s",
			err, len(b), bytes.Equal(b, data), f.Checksum, len(data), sum)
	}
}

// TestSameSizeChangeShowsInChecksum: a file replaced by another of the
// same size shows the new checksum in Stat and List; one changed behind
// Nextcloud's back shows none, so a stale checksum never hides a change.
func TestSameSizeChangeShowsInChecksum(t *testing.T) {
	n := davtest.StartNextcloud(t)
	s := openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud)(t)
	ctx := context.Background()
	check := func(want domain.Checksum) domain.RemoteFile {
		t.Helper()
		f, err := s.Stat(ctx, "/Photos/a.jpg")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx, "/Photos")
		if err != nil || len(list) != 1 {
			t.Fatalf("List = %+v, %v", list, err)
		}
		if f.Checksum != want || list[0].Checksum != want || f.Size != 4 {
			t.Fatalf("Stat checksum %q, List checksum %q, size %d; want %q", f.Checksum, list[0].Checksum, f.Size, want)
		}
		return f
	}
	if err := s.MkdirAll(ctx, "/Photos"); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"AAAA", "BBBB"} {
		if err := s.Upload(ctx, "/Photos/a.jpg", strings.NewReader(content), 4, domain.UploadMeta{SHA1: sha1Hex([]byte(content))}); err != nil {
			t.Fatal(err)
		}
		check(domain.SHA1Checksum(sha1Hex([]byte(content))))
	}
	if got := n.Checksum(t, "Photos/a.jpg"); got != "SHA1:"+sha1Hex([]byte("BBBB")) {
		t.Fatalf("the server stores %q", got)
	}
	n.WriteFile(t, "Photos/a.jpg", []byte("CCCC"))
	check(domain.Checksum{})
}

// TestModificationTimeNotAccepted: a Nextcloud that does not confirm the
// modification time stores the file all the same, and a warning says so.
func TestModificationTimeNotAccepted(t *testing.T) {
	drop := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("X-OC-Mtime") // the server never sees it, so never accepts it
			next.ServeHTTP(w, r)
		})
	}
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(drop))
	var logs bytes.Buffer
	c, err := webdav.NewConnector(slog.New(slog.NewTextHandler(&logs, nil))).
		Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Upload(context.Background(), "/a.txt", strings.NewReader("abc"), 3, domain.UploadMeta{ModTime: time.Unix(1500000000, 0)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "did not accept the modification time") {
		t.Fatalf("no warning logged: %s", logs.String())
	}

	// An accepted time is set, and no warning is logged.
	n2 := davtest.StartNextcloud(t)
	logs.Reset()
	c, _ = webdav.NewConnector(slog.New(slog.NewTextHandler(&logs, nil))).
		Client(domain.Credentials{URL: n2.DAVURL, Username: n2.LoginName, Password: n2.Password}, domain.TypeNextcloud)
	if err := c.Upload(context.Background(), "/a.txt", strings.NewReader("abc"), 3, domain.UploadMeta{ModTime: time.Unix(1500000000, 0)}); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Stat(context.Background(), "/a.txt"); err != nil || f.ModTime.Unix() != 1500000000 || logs.Len() != 0 {
		t.Fatalf("Stat = %+v, %v; logs %q", f, err, logs.String())
	}
}
