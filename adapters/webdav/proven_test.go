package webdav_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// corruptPUTs replaces the body of every PUT with random bytes of the same
// length, as a broken proxy might: the server stores, and hashes, those.
func corruptPUTs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.ContentLength > 0 {
			_, _ = io.Copy(io.Discard, r.Body)
			junk := make([]byte, r.ContentLength)
			_, _ = rand.Read(junk)
			r.Body = io.NopCloser(bytes.NewReader(junk))
		}
		next.ServeHTTP(w, r)
	})
}

// TestUploadProven: on Nextcloud a PUT and a chunked upload return the
// SHA-1 the server computed from what it stored (X-Hash-SHA1), which
// differs from ours when the server stored other bytes; "" where the
// server gave none (an object store's assembly, another server).
func TestUploadProven(t *testing.T) {
	ctx := context.Background()
	small := []byte("a photo, small enough for one PUT")
	meta := domain.UploadMeta{SHA1: sha1Hex(small), ModTime: time.Unix(1700000000, 0)}

	t.Run("PUT", func(t *testing.T) {
		n := davtest.StartNextcloud(t)
		var pu ports.ProvingUploader = chunkedClient(t, n)
		got, err := pu.UploadProven(ctx, "/a.jpg", bytes.NewReader(small), int64(len(small)), meta)
		if err != nil || got != meta.SHA1 {
			t.Fatalf("UploadProven = %q, %v; want %s", got, err, meta.SHA1)
		}
		if r := n.Requests(); r[len(r)-1].Header.Get("X-Hash") != "sha1" {
			t.Fatalf("the PUT was sent without X-Hash: sha1: %v", r[len(r)-1].Header)
		}
	})
	t.Run("PUT through a proxy that changes the bytes", func(t *testing.T) {
		n := davtest.StartNextcloud(t, davtest.WithMiddleware(corruptPUTs))
		c := chunkedClient(t, n)
		got, err := c.UploadProven(ctx, "/a.jpg", bytes.NewReader(small), int64(len(small)), meta)
		stored := sha1Hex(n.ReadFile(t, "a.jpg"))
		if err != nil || got == meta.SHA1 || got != stored {
			t.Fatalf("UploadProven = %q, %v; want the stored bytes' %s, not ours %s", got, err, stored, meta.SHA1)
		}
		// The checksum we sent is stored as sent, and proves nothing.
		if f, err := c.Stat(ctx, "/a.jpg"); err != nil || f.Checksum != domain.SHA1Checksum(meta.SHA1) {
			t.Fatalf("Stat = %+v, %v", f, err)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		for _, objectStore := range []bool{false, true} {
			var opts []davtest.NextcloudOption
			if objectStore {
				opts = append(opts, davtest.WithObjectStore())
			}
			n := davtest.StartNextcloud(t, opts...)
			c := chunkedClient(t, n)
			local, sum := randomFile(t, 12<<20, 7)
			f := openFile(t, local)
			got, err := c.UploadProven(ctx, "/v.mp4", f, 12<<20, domain.UploadMeta{SHA1: sum, ModTime: time.Unix(1700000000, 0)})
			want := sum
			if objectStore {
				want = ""
			}
			if err != nil || got != want {
				t.Fatalf("object store %v: UploadProven = %q, %v; want %q", objectStore, got, err, want)
			}
		}
	})
	t.Run("chunks through a proxy that changes the bytes", func(t *testing.T) {
		n := davtest.StartNextcloud(t, davtest.WithMiddleware(corruptPUTs))
		c := chunkedClient(t, n)
		local, sum := randomFile(t, 12<<20, 8)
		got, err := c.UploadProven(ctx, "/v.mp4", openFile(t, local), 12<<20, domain.UploadMeta{SHA1: sum})
		if err != nil || got == sum || got != sha1Hex(n.ReadFile(t, "v.mp4")) {
			t.Fatalf("UploadProven = %q, %v; want the stored bytes' SHA-1, not ours %s", got, err, sum)
		}
	})
	t.Run("plain WebDAV", func(t *testing.T) {
		s := davtest.StartXNet(t)
		c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: s.URL, Username: s.Username, Password: s.Password}, domain.TypeWebDAV)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.UploadProven(ctx, "/a.jpg", bytes.NewReader(small), int64(len(small)), meta)
		if err != nil || got != "" {
			t.Fatalf("UploadProven = %q, %v; want no proof", got, err)
		}
	})
}

func openFile(t *testing.T, p string) io.Reader {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
