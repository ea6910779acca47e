//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"golang.org/x/text/unicode/norm"
)

// The data-safety scenarios of issue 16 end to end: the real stack
// (SQLite, the library on disk, the WebDAV client) against rclone serve
// webdav and the Nextcloud test server, whose files another client
// changes with plain PUTs.

// davServers are the servers the scenarios run against.
func davServers(t *testing.T) map[string]*davtest.Server {
	t.Helper()
	return map[string]*davtest.Server{
		"rclone":    davtest.StartRclone(t),
		"nextcloud": davtest.StartNextcloud(t).Server(),
	}
}

// otherClient puts data at a path of the server (relative to its WebDAV
// endpoint) as another client would: a plain PUT.
func otherClient(t *testing.T, srv *davtest.Server, p string, data []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, srv.URL+strings.TrimPrefix(escapeDAV(p), "/"), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(srv.Username, srv.Password)
	req.ContentLength = int64(len(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("PUT %s: %s", p, resp.Status)
	}
}

func escapeDAV(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// serverFile reads a file as the server holds it.
func serverFile(t *testing.T, srv *davtest.Server, p string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+strings.TrimPrefix(escapeDAV(p), "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(srv.Username, srv.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeLib(t *testing.T, dir, rel string, data []byte, mod time.Time) {
	t.Helper()
	p := mediatest.WriteFile(t, dir, rel, data)
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

func readLib(t *testing.T, dir, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("library: %v", err)
	}
	return data
}

func (w *soakWorld) run(t *testing.T) {
	t.Helper()
	if _, err := w.syncer.Sync(context.Background(), w.account.ID, app.ByHand, nil); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

// Scenarios 1 and 3: broken copies on either side never replace the
// other side's good copy; a sound newer version does, and the replaced
// copy is kept.
func TestBrokenCopiesNeverReplaceGoodOnesOnRealServers(t *testing.T) {
	for name, srv := range davServers(t) {
		t.Run(name, func(t *testing.T) {
			lib := t.TempDir()
			w := newRealWorld(t, lib, srv.URL, srv.Username, srv.Password)
			mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
			photos := map[string][]byte{}
			for i, n := range []string{"empty", "short", "noise", "good"} {
				photos[n] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 320, Height: 240, Seed: int64(40 + i)})
				writeLib(t, lib, "2024/"+n+".jpg", photos[n], mod)
			}
			clip := mediatest.StandInMP4(7, 200<<10)
			writeLib(t, lib, "2024/clip.mp4", clip, mod)
			if _, err := w.accts.Update(context.Background(), w.account.ID, app.AccountInput{SyncVideo: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			w.run(t)
			if got := serverFile(t, srv, "/Photos/2024/clip.mp4"); !bytes.Equal(got, clip) {
				t.Fatalf("the video did not reach the server whole")
			}
			noise := make([]byte, len(photos["noise"]))
			rand.Read(noise)
			newer := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 320, Height: 240, Seed: 99})
			otherClient(t, srv, "/Photos/2024/empty.jpg", nil)
			otherClient(t, srv, "/Photos/2024/short.jpg", photos["short"][:2000])
			otherClient(t, srv, "/Photos/2024/noise.jpg", noise)
			otherClient(t, srv, "/Photos/2024/good.jpg", newer)
			writeLib(t, lib, "2024/clip.mp4", clip[:20000], mod.Add(time.Hour))
			w.run(t)
			for _, n := range []string{"empty", "short", "noise"} {
				if got := readLib(t, lib, "2024/"+n+".jpg"); !bytes.Equal(got, photos[n]) {
					t.Errorf("%s.jpg: the library's original was replaced by the server's broken copy (%d bytes)", n, len(got))
				}
			}
			if got := readLib(t, lib, "2024/good.jpg"); !bytes.Equal(got, newer) {
				t.Errorf("good.jpg: the sound newer version did not come down")
			}
			if got := serverFile(t, srv, "/Photos/2024/clip.mp4"); !bytes.Equal(got, clip) {
				t.Errorf("the truncated library video replaced the server's good copy (%d bytes)", len(got))
			}
			kept := false
			filepath.WalkDir(filepath.Join(lib, ".photosync", "versions"), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, "good.jpg") {
					data, _ := os.ReadFile(p)
					kept = bytes.Equal(data, photos["good"])
				}
				return nil
			})
			if !kept {
				t.Errorf("the replaced library copy of good.jpg was not kept as a version")
			}
		})
	}
}

// corruptingProxy passes requests to a server, but replaces the body of
// every PUT with random bytes of the same length while on is set: a
// server (or a proxy before it) that stores other bytes than it is sent.
func corruptingProxy(t *testing.T, target string, on *atomic.Bool) string {
	t.Helper()
	return startProxy(t, target, func(r *http.Request) {
		if r.Method == http.MethodPut && on.Load() && r.ContentLength > 0 {
			junk := make([]byte, r.ContentLength)
			io.Copy(io.Discard, r.Body)
			rand.Read(junk)
			r.Body = io.NopCloser(bytes.NewReader(junk))
		}
	})
}

// startProxy starts a reverse proxy to the server at target on
// 127.0.0.1 that lets change each request before it is passed on, and
// answers the target URL through it.
func startProxy(t *testing.T, target string, change func(*http.Request)) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	base := rp.Director
	rp.Director = func(r *http.Request) {
		change(r)
		base(r)
	}
	srv := &http.Server{Handler: rp}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + u.Path
}

// Scenario 5: a server that stores other bytes than it is sent is caught
// by the proof of the upload (Nextcloud's X-Hash-SHA1, a read-back
// elsewhere): nothing counts as uploaded, no wrong copy stays, and the
// files go up once it is fixed.
func TestServerStoringOtherBytesIsCaughtOnRealServers(t *testing.T) {
	for name, srv := range davServers(t) {
		t.Run(name, func(t *testing.T) {
			var on atomic.Bool
			proxied := corruptingProxy(t, srv.URL, &on)
			lib := t.TempDir()
			w := newRealWorld(t, lib, proxied, srv.Username, srv.Password)
			files := map[string][]byte{}
			for i := range 4 {
				rel := "2024/IMG_" + string(rune('A'+i)) + ".jpg"
				files[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(60 + i)})
				writeLib(t, lib, rel, files[rel], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
			}
			on.Store(true)
			run, err := w.syncer.Sync(context.Background(), w.account.ID, app.ByHand, nil)
			if err != nil {
				t.Fatal(err)
			}
			if run.Uploaded != 0 || run.Failed != 4 {
				t.Fatalf("run %+v: want every upload failed", run)
			}
			for rel := range files {
				if got := serverFile(t, srv, "/Photos/"+rel); got != nil {
					t.Errorf("%s: a wrong copy (%d bytes) stays on the server", rel, len(got))
				}
			}
			on.Store(false)
			run, err = w.syncer.Sync(context.Background(), w.account.ID, app.ByHand, nil)
			if err != nil || run.Uploaded != 4 {
				t.Fatalf("run once fixed %+v, %v; want the 4 files sent", run, err)
			}
			for rel, data := range files {
				if got := serverFile(t, srv, "/Photos/"+rel); !bytes.Equal(got, data) {
					t.Errorf("%s differs on the server", rel)
				}
			}
		})
	}
}

// Scenario 8: a library name in NFD and the server's in NFC are one file.
func TestNFDLibraryNamesMakeNoDuplicatesOnNextcloud(t *testing.T) {
	n := davtest.StartNextcloud(t)
	srv := n.Server()
	lib := t.TempDir()
	w := newRealWorld(t, lib, srv.URL, srv.Username, srv.Password)
	nfd := norm.NFD.String("Café/Crème brûlée.jpg")
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 70})
	writeLib(t, lib, nfd, data, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	for i := range 3 {
		run, err := w.syncer.Sync(context.Background(), w.account.ID, app.ByHand, nil)
		if err != nil {
			t.Fatal(err)
		}
		if moved := run.Uploaded + run.Downloaded; (i == 0 && (run.Uploaded != 1 || run.Downloaded != 0)) || (i > 0 && moved != 0) {
			t.Fatalf("run %d: %+v", i+1, run)
		}
	}
	var names []string
	filepath.WalkDir(lib, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "/.photosync") {
			names = append(names, p)
		}
		return nil
	})
	if len(names) != 1 {
		t.Fatalf("library holds %q; want the one file", names)
	}
	if got := serverFile(t, srv, "/Photos/"+norm.NFC.String("Café/Crème brûlée.jpg")); !bytes.Equal(got, data) {
		t.Fatalf("the server does not hold the file under its NFC name")
	}
}

// editingProxy passes requests to a server and calls edit once, just
// before it forwards the first GET of path: a person saving the library
// file while the run downloads the server's version.
func editingProxy(t *testing.T, target, path string, edit func()) string {
	t.Helper()
	var once atomic.Bool
	return startProxy(t, target, func(r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, path) && once.CompareAndSwap(false, true) {
			edit()
		}
	})
}

// Scenarios 2, 4 and 7 on real servers: an edit saved during a download
// is kept; a library file of the same size and time is not the server's
// file; photos uploaded by hand into the sync folder are pairs.
func TestEditsSameSizesAndManualUploadsOnRealServers(t *testing.T) {
	for name, srv := range davServers(t) {
		t.Run(name, func(t *testing.T) {
			lib := t.TempDir()
			mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
			orig := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 160, Height: 120, Seed: 120})
			edit := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 160, Height: 120, Seed: 121})
			writeLib(t, lib, "a/IMG_1.jpg", orig, mod)
			proxied := editingProxy(t, srv.URL, "/Photos/a/IMG_1.jpg", func() {
				writeLib(t, lib, "a/IMG_1.jpg", edit, mod.Add(2*time.Hour))
			})
			w := newRealWorld(t, lib, proxied, srv.Username, srv.Password)
			w.run(t)

			// 2: the server's newer version comes down while the library's
			// copy is edited: both are kept.
			server := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 160, Height: 120, Seed: 122})
			otherClient(t, srv, "/Photos/a/IMG_1.jpg", server)
			w.run(t)
			if got := readLib(t, lib, "a/IMG_1.jpg"); !bytes.Equal(got, edit) {
				t.Errorf("the edit saved during the download is gone (%d bytes)", len(got))
			}
			conflicts, _ := filepath.Glob(filepath.Join(lib, "a", "IMG_1 (conflict *).jpg"))
			if len(conflicts) != 1 {
				t.Errorf("the server's version is not beside the edit: %v", conflicts)
			} else if got := readLib(t, lib, "a/"+filepath.Base(conflicts[0])); !bytes.Equal(got, server) {
				t.Errorf("the conflict copy is not the server's version")
			}

			// 4: same size and time, other bytes: not the same file.
			mine, theirs := mediatest.RAW(t, 1, 9000), mediatest.RAW(t, 2, 9000)
			writeLib(t, lib, "nextcloud/a/IMG_0001.DNG", mine, mod)
			otherClient(t, srv, "/Photos/a/IMG_0001.DNG", theirs)
			if _, err := w.accts.Update(context.Background(), w.account.ID, app.AccountInput{SyncRaw: ptr(true), SyncUpload: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			w.run(t)
			if got := readLib(t, lib, "nextcloud/a/IMG_0001.DNG"); !bytes.Equal(got, mine) {
				t.Errorf("the library's DNG was changed")
			}
			if got := readLib(t, lib, "nextcloud/a/IMG_0001 (1).DNG"); !bytes.Equal(got, theirs) {
				t.Errorf("the server's DNG was not downloaded beside the library's")
			}

			// 7: uploaded by hand into the sync folder: pairs of the sync.
			if _, err := w.accts.Update(context.Background(), w.account.ID, app.AccountInput{SyncUpload: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			phone := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 123})
			writeLib(t, lib, "phone/IMG_9.jpg", phone, mod)
			ctx := context.Background()
			if _, err := w.indexer.Index(ctx, nil); err != nil {
				t.Fatal(err)
			}
			p := app.NewProgress(domain.Job{}, nil)
			if err := w.uploader.Upload(ctx, app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.DefaultUploadOptions("/Photos/Phone uploads")}, p); err != nil {
				t.Fatal(err)
			}
			before := countLib(t, lib)
			run, err := w.syncer.Sync(ctx, w.account.ID, app.ByHand, nil)
			if err != nil {
				t.Fatal(err)
			}
			if serverFile(t, srv, "/Photos/phone/IMG_9.jpg") != nil {
				t.Errorf("the photo uploaded by hand was sent again by the sync (run %+v)", run)
			}
			if after := countLib(t, lib); after != before {
				t.Errorf("the sync downloaded copies of the photos uploaded by hand: %d library files, %d before", after, before)
			}
		})
	}
}

// countLib counts the library's files outside photosync's own folders.
func countLib(t *testing.T, lib string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(lib, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, string(filepath.Separator)+".") {
			n++
		}
		return nil
	})
	return n
}
