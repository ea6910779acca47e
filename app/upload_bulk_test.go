//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/ports"
)

// bulkWorld connects an account to nc with sync on, uploads only, to
// /Photos, through a WebDAV connector with bulk upload allowed or not,
// and writes n small photos into its library (the folder answered).
func bulkWorld(t *testing.T, nc *davtest.Nextcloud, noBulk bool, n int) (*bulkSyncer, domain.Account, map[string][]byte, string) {
	t.Helper()
	return bulkWorldAt(t, nc, nc.BaseURL, noBulk, n)
}

// bulkWorldAt is bulkWorld with the account's URL base (a proxy in front
// of nc).
func bulkWorldAt(t *testing.T, nc *davtest.Nextcloud, base string, noBulk bool, n int) (*bulkSyncer, domain.Account, map[string][]byte, string) {
	t.Helper()
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	p := apptest.Ports(t, dir, clock)
	p.Connector, p.Log = webdav.NewConnectorWithOptions(log, webdav.Options{BulkUpload: !noBulk}), log
	ap := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond, Parallel: 3}})
	nc.MkdirAll(t, "Photos")
	a, err := ap.Accounts.Connect(ctx, app.AccountInput{
		URL: ptr(base), Username: ptr(nc.LoginName), Password: ptr(nc.Password),
		SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	photos := map[string][]byte{}
	for i := range n {
		name := fmt.Sprintf("2026/%02d/p%02d.jpg", i%3, i)
		b := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1)})
		mediatest.WriteFile(t, dir, name, b)
		photos[name] = b
	}
	return &bulkSyncer{s: ap.Syncer, proofs: p.Proofs}, a, photos, dir
}

// bulkSyncer runs a sync by hand and waits for it.
type bulkSyncer struct {
	s      *app.Syncer
	proofs ports.ProofStore
}

// Sync runs the account's sync by hand, as a job, and answers its run.
func (b *bulkSyncer) Sync(ctx context.Context, accountID int64, by app.SyncTrigger, _ any) (domain.SyncRun, error) {
	_, run, err := b.s.Run(ctx, accountID, by, true)
	return run, err
}

// methods counts the requests nc saw by method, and the bulk POSTs.
func methods(nc *davtest.Nextcloud) map[string]int {
	m := map[string]int{}
	for _, q := range nc.Requests() {
		k := q.Method
		switch {
		case q.Method == http.MethodPost && strings.HasSuffix(q.Path, "/remote.php/dav/bulk"):
			k = "BULK"
		case q.Method == http.MethodGet && strings.Contains(q.Path, "/remote.php/"):
			k = "GET file"
		}
		m[k]++
	}
	return m
}

// syncAllUp runs the account's sync by hand and fails unless it uploaded
// every photo, failed none, and the server holds them byte for byte.
func syncAllUp(t *testing.T, syncer *bulkSyncer, accountID int64, nc *davtest.Nextcloud, photos map[string][]byte) {
	t.Helper()
	r, err := syncer.Sync(context.Background(), accountID, app.ByHand, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Uploaded != len(photos) || r.Failed != 0 {
		t.Fatalf("run: %+v, want %d uploaded", r, len(photos))
	}
	sameOnServer(t, nc, photos)
}

// sameOnServer fails unless the server holds every photo byte for byte.
func sameOnServer(t *testing.T, nc *davtest.Nextcloud, photos map[string][]byte) {
	t.Helper()
	for name, b := range photos {
		if got := nc.ReadFile(t, "Photos/"+name); !bytes.Equal(got, b) {
			t.Errorf("%s: the server holds %d bytes, not the %d of the library", name, len(got), len(b))
		}
	}
}

// TestSyncSendsSmallFilesInBulk: a first backup to Nextcloud sends its
// small new files in bulk requests, no PUT, and proves each stored file by
// the server's own hashes, never by reading it back: the MD5 the server
// checked of the bytes it received, and for the first file of each
// request (the canary) the SHA-1 it computes of its stored copy (a
// PATCH): one PATCH a request, not one a file. Every file's proof is
// recorded with the library's SHA-1.
func TestSyncSendsSmallFilesInBulk(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	syncer, a, photos, _ := bulkWorld(t, nc, false, 40)
	syncAllUp(t, syncer, a.ID, nc, photos)
	m := methods(nc)
	if m["BULK"] < 2 || m[http.MethodPut] != 0 || m["PATCH"] != m["BULK"] || m["GET file"] != 0 {
		t.Fatalf("requests: %v; want bulk POSTs, no PUT, a PATCH per bulk request, no read-back", m)
	}
	proofs, err := syncer.proofs.Proofs(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	proven := map[string]domain.Proof{}
	for _, p := range proofs {
		proven[p.RemotePath] = p
	}
	for name, b := range photos {
		p := proven["/Photos/"+name]
		if want := fmt.Sprintf("%x", sha1.Sum(b)); p.SHA1 != want || p.Method != domain.ProofServerHash || p.Size != int64(len(b)) {
			t.Errorf("%s: proof %+v, want the server's proof of SHA-1 %s", name, p, want)
		}
	}
}

// TestSyncBulkDamagedOnTheWay: a proxy that changes the bytes of a bulk
// request on the way (the trouble that made Nextcloud's desktop client
// switch bulk upload off in places) is caught by the server's MD5 check:
// the request is refused, bulk upload is given up, and every file reaches
// the server intact by PUT.
func TestSyncBulkDamagedOnTheWay(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	target, err := url.Parse(nc.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	damaged := 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/remote.php/dav/bulk") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			// Flip a byte deep in the last part's bytes: the JPEG's
			// scan data, not a header or a boundary.
			body[len(body)-200] ^= 0xff
			damaged++
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	syncer, a, photos, _ := bulkWorldAt(t, nc, proxy.URL, false, 40)
	syncAllUp(t, syncer, a.ID, nc, photos)
	m := methods(nc)
	if damaged != 1 || m["BULK"] != 1 || m[http.MethodPut] == 0 {
		t.Fatalf("requests: %v, %d damaged; want one bulk POST refused, then PUTs", m, damaged)
	}
}

// TestSyncBulkOneFileRefused: a file the server refuses within a bulk
// request (an antivirus app, say) is that file's failure only; the other
// files of its request are stored and counted.
func TestSyncBulkOneFileRefused(t *testing.T) {
	nc := davtest.StartNextcloud(t, davtest.WithBulkStoring(func(p string, b []byte) ([]byte, error) {
		if strings.HasSuffix(p, "/p07.jpg") {
			return nil, errors.New("Virus Eicar-Test-Signature is detected in the file. Upload cannot be completed.")
		}
		return b, nil
	}))
	syncer, a, photos, _ := bulkWorld(t, nc, false, 12)
	r, err := syncer.Sync(context.Background(), a.ID, app.ByHand, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Uploaded != 11 || r.Failed != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "Virus") {
		t.Fatalf("run: %+v", r)
	}
	delete(photos, "2026/01/p07.jpg")
	sameOnServer(t, nc, photos)
	if m := methods(nc); m["BULK"] == 0 {
		t.Fatalf("requests: %v; want bulk POSTs", m)
	}
}

// TestSyncBulkStoredOtherBytesCaught: a server that answers success for a
// file of a bulk request but stores other bytes is caught by the proof:
// the wrong copy is replaced by a PUT (which proves what it stores), bulk
// upload is given up for the run, and the server ends with the library's
// bytes.
func TestSyncBulkStoredOtherBytesCaught(t *testing.T) {
	nc := davtest.StartNextcloud(t, davtest.WithBulkStoring(func(p string, b []byte) ([]byte, error) {
		c := bytes.Clone(b)
		c[len(c)/2] ^= 0xff // same size: only a hash tells
		return c, nil
	}))
	syncer, a, photos, _ := bulkWorld(t, nc, false, 40)
	syncAllUp(t, syncer, a.ID, nc, photos)
	m := methods(nc)
	if m["BULK"] == 0 || m[http.MethodPut] == 0 {
		t.Fatalf("requests: %v; want bulk POSTs, then PUTs", m)
	}
	if m["BULK"] > 2 {
		t.Fatalf("requests: %v; bulk upload was not given up after a wrong copy", m)
	}
}

// TestSyncWithoutBulkUpload: a server without bulk upload, and a
// connector with it switched off, get one PUT per file.
func TestSyncWithoutBulkUpload(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   []davtest.NextcloudOption
		noBulk bool
	}{
		{"server without bulk", []davtest.NextcloudOption{davtest.WithoutBulkUpload()}, false},
		{"switched off", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			nc := davtest.StartNextcloud(t, c.opts...)
			syncer, a, photos, _ := bulkWorld(t, nc, c.noBulk, 10)
			syncAllUp(t, syncer, a.ID, nc, photos)
			if m := methods(nc); m[http.MethodPost] != 0 || m[http.MethodPut] != 10 {
				t.Fatalf("requests: %v; want 10 PUTs and no POST", m)
			}
		})
	}
}

// TestSyncBulkStoresLongNames: a name too long for Nextcloud's PUT (its
// part file's name would pass 255 bytes) is stored by a bulk upload, which
// writes the file directly, as on a real Nextcloud.
func TestSyncBulkStoresLongNames(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	syncer, a, photos, dir := bulkWorld(t, nc, false, 4)
	long := "2026/" + strings.Repeat("x", 240) + ".jpg"
	photos[long] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 99})
	mediatest.WriteFile(t, dir, long, photos[long])
	syncAllUp(t, syncer, a.ID, nc, photos)
}

// TestSyncFewFilesByPut: a batch of fewer than four files goes by PUT,
// whose answer proves it, rather than a bulk request and a proof each.
func TestSyncFewFilesByPut(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	syncer, a, photos, _ := bulkWorld(t, nc, false, 3)
	syncAllUp(t, syncer, a.ID, nc, photos)
	if m := methods(nc); m[http.MethodPost] != 0 || m[http.MethodPut] != 3 || m["PATCH"] != 0 {
		t.Fatalf("requests: %v; want 3 PUTs", m)
	}
}

// TestUploadInBulk: the manual upload sends small files in bulk requests
// too, resized copies (fit_N) among them, each proven and counted once,
// each by the server's hash of its stored copy, which the server then
// keeps as the file's checksum (the next upload of the same photos
// compares by it, without reading them back); the job's bytes are the
// bytes sent.
func TestUploadInBulk(t *testing.T) {
	for _, size := range []string{domain.SizeOriginal, domain.SizeFit720} {
		t.Run(size, func(t *testing.T) {
			ctx := context.Background()
			nc := davtest.StartNextcloud(t)
			nc.MkdirAll(t, "Photos")
			clock := memory.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
			box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
			log := slog.New(slog.DiscardHandler)
			w := &upWorld{dir: t.TempDir(), clock: clock, library: memory.NewLibraryStore(), uploads: memory.NewUploadStore()}
			w.accounts = app.NewAccounts(memory.NewAccountStore(clock), box, webdav.NewConnectorWithOptions(log, webdav.Options{BulkUpload: true}), clock, log)
			var err error
			w.account, err = w.accounts.Connect(ctx, app.AccountInput{URL: ptr(nc.BaseURL), Username: ptr(nc.LoginName), Password: ptr(nc.Password)})
			if err != nil {
				t.Fatal(err)
			}
			w.up = app.NewUploader(w.accounts, localfs.NewLibrary(w.dir), w.library, w.uploads, media.NewResizer(), clock, log)
			w.up.RetryDelay = time.Millisecond
			var photos []domain.Photo
			for i := range 8 {
				data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1), Width: 1200, Height: 900})
				photos = append(photos, w.index(t, upFile{fmt.Sprintf("2026/p%d.jpg", i), data}))
			}
			opts := domain.DefaultUploadOptions("/Photos")
			opts.Size = size
			j, err := w.run(t, opts, photos...)
			if err != nil {
				t.Fatal(err)
			}
			checkUpCounts(t, j, 8, 0, 0)
			m := methods(nc)
			if m["BULK"] != 1 || m[http.MethodPut] != 0 || m["PATCH"] != 8 {
				t.Fatalf("requests: %v; want one bulk POST and a PATCH per file (a manual upload has the server keep each file's checksum)", m)
			}
			var sent int64
			for _, q := range nc.Requests() {
				if q.Method == http.MethodPost && strings.HasSuffix(q.Path, "/bulk") {
					sent = q.ContentLength
				}
			}
			if j.BytesDone <= 0 || j.BytesDone > sent {
				t.Fatalf("job bytes %d; the bulk request held %d", j.BytesDone, sent)
			}
		})
	}
}

// TestSyncBulkKeepsTheSession: signed in with the login password, bulk
// requests carry the session's CSRF token and keep the session, so a
// first backup in bulk pays the password checks of the same backup by
// PUTs (those that make the session) and no more (a bulk POST sent
// without the session paid one each); where the token cannot be had, or
// does not pass, bulk requests sign in on their own and every file still
// arrives.
func TestSyncBulkKeepsTheSession(t *testing.T) {
	byPut := func() int {
		nc := davtest.StartNextcloud(t)
		syncer, a, _, _ := bulkWorld(t, nc, true, 70)
		base := nc.PasswordChecks()
		if r, err := syncer.Sync(context.Background(), a.ID, app.ByHand, nil); err != nil || r.Uploaded != 70 {
			t.Fatalf("by PUT: %+v %v", r, err)
		}
		return nc.PasswordChecks() - base
	}()
	for _, c := range []struct {
		name   string
		mw     func(http.Handler) http.Handler
		checks func(posts int) (lo, hi int)
	}{
		{"token", nil, func(int) (int, int) { return byPut, byPut }},
		{"no token", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/csrftoken") {
					http.NotFound(w, r)
					return
				}
				next.ServeHTTP(w, r)
			})
		}, func(posts int) (int, int) { return byPut + posts, byPut + posts }},
		{"token refused", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tok := r.Header.Get("requesttoken"); tok != "" {
					r.Header.Set("requesttoken", "x"+tok) // no longer the session's
				}
				next.ServeHTTP(w, r)
			})
		}, func(posts int) (int, int) { return byPut + posts, byPut + 2*posts }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var opts []davtest.NextcloudOption
			if c.mw != nil {
				opts = append(opts, davtest.WithMiddleware(c.mw))
			}
			nc := davtest.StartNextcloud(t, opts...)
			syncer, a, photos, _ := bulkWorld(t, nc, false, 70)
			base := nc.PasswordChecks() // connecting the account
			syncAllUp(t, syncer, a.ID, nc, photos)
			posts := methods(nc)["BULK"]
			lo, hi := c.checks(posts)
			if got := nc.PasswordChecks() - base; posts < 2 || got < lo || got > hi {
				t.Fatalf("%d bulk POSTs, %d password checks in the run; want %d to %d", posts, got, lo, hi)
			}
		})
	}
}
