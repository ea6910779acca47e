package webdav_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestSessionReuse: a client keeps Nextcloud's session cookie, so a run of
// many requests pays the server's password check once or twice, not once
// a request; the cookie is never among the requests' logged headers.
func TestSessionReuse(t *testing.T) {
	ctx := context.Background()
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	if err := c.MkdirAll(ctx, "/Photos"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		body := []byte(fmt.Sprintf("photo %d", i))
		if err := c.Upload(ctx, fmt.Sprintf("/Photos/%d.jpg", i), bytes.NewReader(body), int64(len(body)), domain.UploadMeta{ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.List(ctx, "/Photos"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat(ctx, "/Photos/3.jpg"); err != nil {
		t.Fatal(err)
	}
	reqs := len(n.Requests())
	if got := n.PasswordChecks(); got > 2 {
		t.Fatalf("%d requests cost %d password checks, want at most 2", reqs, got)
	}
	if n.Sessions() != 1 {
		t.Fatalf("sessions started: %d, want 1", n.Sessions())
	}
}

// TestSessionDroppedOn401: a 401 to a request that brought the session
// cookie drops the cookies, and the request goes again with the
// credentials alone.
func TestSessionDroppedOn401(t *testing.T) {
	ctx := context.Background()
	var refuse atomic.Bool
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Cookie") != "" && refuse.CompareAndSwap(true, false) {
				w.Header().Set("WWW-Authenticate", `Basic realm="Nextcloud"`)
				http.Error(w, "session expired", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	n.WriteFile(t, "a.jpg", []byte("a"))
	c := chunkedClient(t, n)
	if _, err := c.Stat(ctx, "/a.jpg"); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	if _, err := c.Stat(ctx, "/a.jpg"); err != nil {
		t.Fatalf("Stat after the session was refused: %v", err)
	}
	reqs := n.Requests()
	last, prev := reqs[len(reqs)-1], reqs[len(reqs)-2]
	if prev.Status != http.StatusUnauthorized || prev.Header.Get("Cookie") == "" || last.Header.Get("Cookie") != "" || last.Status != http.StatusMultiStatus {
		t.Fatalf("requests: %d with cookie %q, then %d with cookie %q; want 401 with, then 207 without",
			prev.Status, prev.Header.Get("Cookie"), last.Status, last.Header.Get("Cookie"))
	}
	if refuse.Load() {
		t.Fatal("the refusal was never triggered")
	}
}
