package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// This file is the bench's scenario of issue 17: the Nextcloud test server
// with what a real Nextcloud's requests cost, signed in with the user's
// login password and with an app password. A real Nextcloud checks the
// login password against its bcrypt hash (cost 10) on every request that
// is not signed in by a session cookie, and each request costs a PHP start
// and database work on a few PHP-FPM workers: a client that does not keep
// the cookie was 8 times slower there with the login password (issue 17).

// Per-request costs of the costly Nextcloud (assumptions, stated in the
// table's notes): PHP-FPM's default of 5 workers, a PHP start and session
// per request, and file cache writes per file stored.
const (
	ncWorkers         = 5
	ncRequestCost     = 15 * time.Millisecond
	ncFileCost        = 10 * time.Millisecond
	putCookiesEnv     = "PHOTOSYNC_BENCH_PUT_COOKIES"
	toolNextcloud     = "nextcloudcmd"
	toolCookieCeil    = "plain PUTs keeping the cookie (ceiling)"
	toolGetCookieCeil = "plain GETs keeping the cookie (ceiling)"
)

// costly is middleware giving each request a PHP worker (ncWorkers at
// once) for ncRequestCost, and ncFileCost more for each file it stores: one
// for a PUT or MOVE, one per part of a bulk upload (BulkUploadPlugin writes
// and touches each file in turn, with its file cache work, in the one PHP
// worker). A PATCH that hashes a stored file and stores the checksum pays
// the request's cost only.
func costly(next http.Handler) http.Handler {
	workers := make(chan struct{}, ncWorkers)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files := 0
		switch {
		case r.Method == http.MethodPut || r.Method == "MOVE":
			files = 1
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/remote.php/dav/bulk"):
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			files = bulkParts(r.Header.Get("Content-Type"), body)
		case r.Method == http.MethodPost:
			files = 1
		}
		workers <- struct{}{}
		defer func() { <-workers }()
		cost := ncRequestCost + time.Duration(files)*ncFileCost
		time.Sleep(cost) // the server's own work, not synchronisation
		next.ServeHTTP(w, r)
	})
}

// photosyncVariants are the settings photosync is timed with besides its
// defaults (PHOTOSYNC_VERIFY=all, PHOTOSYNC_BULK_UPLOAD=on: small files in
// bulk requests, proven by the server's MD5 check, a canary each proven by
// the server's hash of its stored copy).
var photosyncVariants = []struct {
	name string
	env  []string
}{
	{"photosync, PHOTOSYNC_BULK_UPLOAD=off", []string{"PHOTOSYNC_BULK_UPLOAD=off"}},
}

// bulkParts counts the parts of a multipart body.
func bulkParts(ct string, body []byte) int {
	_, params, err := mime.ParseMediaType(ct)
	if err != nil || params["boundary"] == "" {
		return 1
	}
	return max(bytes.Count(body, []byte("--"+params["boundary"]+"\r\n")), 1)
}

// startCostlyNextcloud starts the Nextcloud test server with realistic
// costs behind a counting proxy; app makes the account's password an app
// password from Login Flow v2.
func startCostlyNextcloud(t testing.TB, app bool) *server {
	t.Helper()
	n := davtest.StartNextcloud(t, davtest.WithPasswordHashCost(davtest.RealisticPasswordHashCost), davtest.WithMiddleware(costly))
	c := startCounter(t, n.BaseURL)
	dav := c.URL + strings.TrimPrefix(n.DAVURL, n.BaseURL)
	s := &server{name: "nextcloud-costly", c: c, url: c.URL, davURL: dav, user: n.LoginName, pass: n.Password, dir: n.Dir,
		vendor: "nextcloud", nc: n}
	if app {
		s.pass = appPassword(t, n)
	}
	return s
}

// appPassword runs Login Flow v2 against n and answers the app password.
func appPassword(t testing.TB, n *davtest.Nextcloud) string {
	t.Helper()
	res, err := http.Post(n.BaseURL+"/index.php/login/v2", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var start struct {
		Poll  struct{ Token, Endpoint string }
		Login string
	}
	err = json.NewDecoder(res.Body).Decode(&start)
	res.Body.Close()
	if err != nil {
		t.Fatalf("login flow: %v", err)
	}
	n.GrantLogin(t, start.Login)
	res, err = http.PostForm(start.Poll.Endpoint, url.Values{"token": {start.Poll.Token}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct{ AppPassword string }
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || got.AppPassword == "" {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("login flow poll: %v %s", err, b)
	}
	return got.AppPassword
}

// nextcloudCosts: the first backup and the first download of the photo
// library on the costly Nextcloud, with either kind of password, by
// photosync, the plain-PUT/GET ceilings (the PUT one keeping the session
// cookie, as a browser would), tuned rclone and nextcloudcmd.
func (b *bench) nextcloudCosts() {
	t := b.t
	ncc, ncNote := findNextcloudcmd()
	if ncNote != "" {
		b.notes = append(b.notes, ncNote)
	}
	for _, app := range []bool{false, true} {
		srv := startCostlyNextcloud(t, app)
		title := "Nextcloud with costs, login password"
		if app {
			title = "Nextcloud with costs, app password"
		}
		sc := "first backup"
		steps := []func(){
			func() {
				dest := b.dest("ps")
				p := newPhotosync(t, b.photosync, b.photos.dir, srv.c, srv.user, srv.pass, dest, false)
				b.res.add(sc, title, toolPhotosync, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, p.sync(t, srv.c)))
			},
		}
		for _, v := range photosyncVariants {
			steps = append(steps, func() {
				dest := b.dest("psv")
				p := newPhotosync(t, b.photosync, b.photos.dir, srv.c, srv.user, srv.pass, dest, false)
				p.env = v.env
				b.res.add(sc, title, v.name, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, p.sync(t, srv.c)))
			})
		}
		steps = append(steps,
			func() {
				dest := b.dest("put")
				b.res.add(sc, title, toolCookieCeil, b.photos.bytes,
					checkTree(t, srv.dir, dest, b.photos, putClientWith(t, srv.c, b.photos.dir, srv.user, srv.pass, srv.davURL, dest, true)))
			},
		)
		for _, rc := range b.rclones {
			if rc.name == toolDefaults {
				continue
			}
			steps = append(steps, func() {
				dest := b.dest("rc")
				b.res.add(sc, title, rc.name, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, rc.r.copy(t, srv, b.photos.dir, dest, true)))
			})
		}
		for _, mode := range []string{"bulk", "put"} {
			steps = append(steps, func() {
				dest := b.dest(mode)
				tool := toolBulk
				if mode == "put" {
					tool = toolPuts
				}
				b.res.add(sc, title, tool, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, bulkClient(t, srv, mode, b.photos.dir, dest)))
			})
		}
		if ncc != "" {
			steps = append(steps, func() {
				dest := b.dest("ncc")
				srv.nc.MkdirAll(t, dest)
				b.res.add(sc, title, toolNextcloud, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, nextcloudcmd(t, ncc, srv, b.photos.dir, dest)))
			})
		}
		b.alternate(b.cfg.reps, steps)
		srv.clean(t)

		sc = "first download"
		src := b.dest("src")
		srv.seed(t, b.photos.dir, src)
		steps = []func(){
			func() {
				lib := t.TempDir()
				p := newPhotosync(t, b.photosync, lib, srv.c, srv.user, srv.pass, src, true)
				b.res.add(sc, title, toolPhotosync, b.photos.bytes, checkLocal(t, lib, b.photos, p.sync(t, srv.c)))
				os.RemoveAll(lib)
			},
			func() {
				lib := t.TempDir()
				s := getClientWith(t, srv.c, b.photos.dir, srv.user, srv.pass, srv.davURL, src, lib, true)
				b.res.add(sc, title, toolGetCookieCeil, b.photos.bytes, checkLocal(t, lib, b.photos, s))
				os.RemoveAll(lib)
			},
		}
		for _, rc := range b.rclones {
			if rc.name == toolDefaults {
				continue
			}
			steps = append(steps, func() {
				lib := t.TempDir()
				b.res.add(sc, title, rc.name, b.photos.bytes, checkLocal(t, lib, b.photos, rc.r.copy(t, srv, lib, src, false)))
				os.RemoveAll(lib)
			})
		}
		if ncc != "" {
			steps = append(steps, func() {
				lib := t.TempDir()
				b.res.add(sc, title, toolNextcloud, b.photos.bytes, checkLocal(t, lib, b.photos, nextcloudcmdIn(t, ncc, srv, lib, src)))
				os.RemoveAll(lib)
			})
		}
		b.alternate(b.cfg.reps, steps)
		srv.clean(t)
		b.notes = append(b.notes, fmt.Sprintf("%s: %d password checks (bcrypt, cost %d) and %d app password look-ups over all its runs.",
			title, srv.nc.PasswordChecks(), davtest.RealisticPasswordHashCost, srv.nc.TokenChecks()))
	}
	b.notes = append(b.notes, fmt.Sprintf("Nextcloud with costs: the Nextcloud test server with the login password hashed by bcrypt at cost %d (checked on every request without a session, as Nextcloud does), %d PHP workers, %s a request and %s more a stored file (assumed, not measured on a real server).",
		davtest.RealisticPasswordHashCost, ncWorkers, ncRequestCost, ncFileCost))
}

// findNextcloudcmd answers Nextcloud's command-line client, or a note
// saying why it is not in the table.
func findNextcloudcmd() (string, string) {
	p, err := exec.LookPath("nextcloudcmd")
	if err != nil {
		return "", "nextcloudcmd is not installed (Debian: `apt-get install nextcloud-desktop-cmd`): its rows are missing."
	}
	return p, ""
}

// nextcloudcmd times Nextcloud's desktop client uploading a copy of local
// (it writes its journal, .sync_*.db, into the folder it syncs) to remote.
func nextcloudcmd(t testing.TB, bin string, srv *server, local, remote string) sample {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", local+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy for nextcloudcmd: %v\n%s", err, out)
	}
	return nextcloudcmdIn(t, bin, srv, dir, remote)
}

// nextcloudcmdIn times nextcloudcmd syncing the local folder dir with
// remote (both ways: an empty dir downloads remote), and removes the
// journal it leaves in dir.
func nextcloudcmdIn(t testing.TB, bin string, srv *server, dir, remote string) sample {
	t.Helper()
	cmd := exec.Command(bin, "--non-interactive", "-u", srv.user, "-p", srv.pass, "--path", remote, dir, srv.url)
	cmd.Env = env(t)
	s := timed(t, srv.c, cmd)
	for _, e := range mustReadDir(t, dir) {
		if strings.HasPrefix(e, ".sync_") {
			os.Remove(dir + "/" + e)
		}
	}
	return s
}

func mustReadDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// putClientWith is putClient, keeping the server's cookies when cookies is
// set.
func putClientWith(t testing.TB, c *counter, src, user, pass, base, dest string, cookies bool) sample {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", src, base+strings.TrimPrefix(dest, "/"), user, pass)
	cmd.Env = env(t, putClientEnv+"=1")
	if cookies {
		cmd.Env = append(cmd.Env, putCookiesEnv+"=1")
	}
	return timed(t, c, cmd)
}
