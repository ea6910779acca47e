package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// secRecorder keeps every API answer and CLI output of a scenario, to be
// searched for secrets with the server's logs.
type secRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

func (r *secRecorder) add(what string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	fmt.Fprintf(&r.buf, "== %s\n%s\n", what, data)
}

func (r *secRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// secCall sends a JSON request to in, records the answer in rec and
// decodes it into out.
func secCall(in *instance, rec *secRecorder, method, path string, body any, out any) int {
	in.t.Helper()
	res, raw := in.client().Do(method, path, body)
	var hdr bytes.Buffer
	_ = res.Header.Write(&hdr)
	rec.add(fmt.Sprintf("%s %s -> %d\n%s", method, path, res.StatusCode, hdr.String()), raw)
	if out != nil && len(raw) > 0 {
		testkit.Decode(in.t, method+" "+path, raw, out)
	}
	return res.StatusCode
}

// secJob is a job as the API shows it.
type secJob struct {
	ID         int64
	State      string
	Error      string
	Uploaded   int
	Downloaded int
	Failed     int
}

// secWaitJob polls a job until it ends.
func secWaitJob(t *testing.T, in *instance, rec *secRecorder, id int64) secJob {
	t.Helper()
	var j secJob
	ended := testkit.Poll(60*time.Second, 20*time.Millisecond, func() bool {
		secCall(in, rec, "GET", fmt.Sprintf("/api/v1/jobs/%d", id), nil, &j)
		return j.State != "queued" && j.State != "running"
	})
	if !ended {
		t.Fatalf("job %d did not end: %+v", id, j)
	}
	return j
}

// secCLI runs the photosync command line through run() with env and
// records its output.
func secCLI(rec *secRecorder, env map[string]string, stdin string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	rec.add("photosync "+strings.Join(args, " "), append(out.Bytes(), errb.Bytes()...))
	if err != nil {
		rec.add("error of photosync "+strings.Join(args, " "), []byte(describe(err)))
	}
	return out.String(), err
}

// secTeeWriter keeps a copy of what a handler writes.
type secTeeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *secTeeWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// secCredentialURL matches a URL with a user name and password in it.
var secCredentialURL = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s"'@]*:[^/\s"'@]*@`)

// TestSecretsNeverShown runs a whole scenario through run(), as main
// does, at debug level: a failed sign-in, a WebDAV account with a known
// password (and, refused, the same with a wrong password and with the
// password in its URL), a Nextcloud account by Login Flow (its app
// password), an index, a sync both ways, an upload, the account list by
// API and by `photosync account list --json`. Then no log line, API
// answer or CLI output holds the WebDAV password, the Nextcloud password,
// the app password, the session token, the admin password or a URL with
// user:pass@; the data folder (database and WAL, while serve runs and
// after) holds none of the passwords in clear; the key file is 0600.
func TestSecretsNeverShown(t *testing.T) {
	// The app password is read from the server's answer to the Login
	// Flow's poll, where photosync receives it.
	var (
		pollMu  sync.Mutex
		pollRaw bytes.Buffer
	)
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/login/v2/poll") {
				next.ServeHTTP(w, r)
				return
			}
			tee := &secTeeWriter{ResponseWriter: w}
			next.ServeHTTP(tee, r)
			pollMu.Lock()
			pollRaw.Write(tee.body.Bytes())
			pollMu.Unlock()
		})
	}))
	xs := davtest.StartXNet(t)
	xs.WriteFile(t, "Photos/remote.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 11}))
	lib := t.TempDir()
	mediatest.WriteFile(t, lib, "2026/local.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 12}))
	dataDir := t.TempDir()
	const admin = "admin-Secr3t-e2e"
	in := startServe(t, dataDir, map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": admin, "PHOTOSYNC_LOG_LEVEL": "debug", "PHOTOSYNC_LIBRARY": lib,
	})
	rec := &secRecorder{}

	// Failed sign-ins, one with a server's password typed by mistake.
	for _, pw := range []string{"wrong-admin", xs.Password} {
		if st := secCall(in, rec, "POST", "/api/v1/session", map[string]string{"password": pw}, nil); st != 401 {
			t.Fatalf("wrong admin password: %d", st)
		}
	}
	// The sign-in's own answer is the one place the token belongs: it is
	// not searched.
	var tok struct{ Token string }
	if st := secCall(in, &secRecorder{}, "POST", "/api/v1/session", map[string]string{"password": admin}, &tok); st != 200 || tok.Token == "" {
		t.Fatalf("sign-in: %d", st)
	}
	in.token = tok.Token

	// The WebDAV account: a wrong password, the password in the URL,
	// then the right one.
	var e apiError
	if st := secCall(in, rec, "POST", "/api/v1/accounts", map[string]any{"url": xs.URL, "username": xs.Username, "password": xs.Password + "x"}, &e); st != 422 {
		t.Fatalf("wrong WebDAV password: %d %+v", st, e)
	}
	withCreds := strings.Replace(xs.URL, "://", "://"+xs.Username+":"+xs.Password+"@", 1)
	if st := secCall(in, rec, "POST", "/api/v1/accounts", map[string]any{"url": withCreds, "username": xs.Username, "password": xs.Password}, &e); st < 400 {
		t.Fatalf("a URL with credentials was accepted: %d", st)
	}
	var dav account
	if st := secCall(in, rec, "POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": xs.URL, "username": xs.Username, "password": xs.Password,
		"sync_enabled": true, "sync_folder": "/Photos", "sync_download": true, "sync_upload": true}, &dav); st != 201 {
		t.Fatalf("connect: %d", st)
	}

	// The Nextcloud account by Login Flow: its app password is the one
	// the server saw that is not the person's.
	var f struct {
		ID, State string
		LoginURL  string `json:"login_url"`
		Account   *account
	}
	if st := secCall(in, rec, "POST", "/api/v1/login-flows", map[string]any{"url": nc.BaseURL, "name": "cloud"}, &f); st != 201 {
		t.Fatalf("login flow: %d", st)
	}
	nc.GrantLogin(t, f.LoginURL)
	if st := secCall(in, rec, "GET", "/api/v1/login-flows/"+f.ID, nil, &f); st != 200 || f.Account == nil {
		t.Fatalf("login flow poll: %d %+v", st, f)
	}

	// Index, sync both ways, upload.
	var job secJob
	var st int
	started := testkit.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		if st = secCall(in, rec, "POST", "/api/v1/library/index", nil, &job); st != 202 && st != 409 {
			t.Fatalf("index: %d", st)
		}
		return st == 202
	})
	if !started {
		t.Fatalf("index: %d", st)
	}
	secWaitJob(t, in, rec, job.ID)
	if st := secCall(in, rec, "POST", fmt.Sprintf("/api/v1/accounts/%d/sync", dav.ID), map[string]bool{"dry_run": false}, &job); st != 202 {
		t.Fatalf("sync: %d", st)
	}
	if j := secWaitJob(t, in, rec, job.ID); j.State != "done" || j.Downloaded != 1 || j.Uploaded != 1 {
		t.Fatalf("sync job %+v, want one file each way", j)
	}
	if st := secCall(in, rec, "POST", fmt.Sprintf("/api/v1/accounts/%d/upload", f.Account.ID), map[string]any{"all": true, "folder": "/Up"}, &job); st != 202 {
		t.Fatalf("upload: %d", st)
	}
	if j := secWaitJob(t, in, rec, job.ID); j.State != "done" || j.Uploaded < 1 {
		t.Fatalf("upload job %+v", j)
	}
	for _, p := range []string{"/api/v1/accounts", fmt.Sprintf("/api/v1/accounts/%d", dav.ID), fmt.Sprintf("/api/v1/accounts/%d", f.Account.ID),
		fmt.Sprintf("/api/v1/accounts/%d/runs", dav.ID), fmt.Sprintf("/api/v1/accounts/%d/files", dav.ID), "/api/v1/jobs", "/api/v1/photos"} {
		if st := secCall(in, rec, "GET", p, nil, nil); st != 200 {
			t.Errorf("GET %s: %d", p, st)
		}
	}
	if st := secCall(in, rec, "POST", fmt.Sprintf("/api/v1/accounts/%d/test", f.Account.ID), nil, nil); st != 200 {
		t.Errorf("test the Nextcloud account: %d", st)
	}

	// The CLI on the same data folder.
	cliEnv := map[string]string{"PHOTOSYNC_DATA": dataDir, "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "debug"}
	if out, err := secCLI(rec, cliEnv, "", "account", "list", "--json"); err != nil || !strings.Contains(out, `"nas"`) {
		t.Fatalf("account list --json: %v %s", err, out)
	}
	for _, args := range [][]string{{"account", "show", fmt.Sprint(dav.ID), "--json"}, {"account", "test", fmt.Sprint(f.Account.ID)}} {
		if _, err := secCLI(rec, cliEnv, "", args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	cliEnv["PHOTOSYNC_ACCOUNT_PASSWORD"] = xs.Password + "-wrong"
	if _, err := secCLI(rec, cliEnv, "", "account", "add", "--url", xs.URL, "--user", xs.Username, "--name", "bad"); err == nil {
		t.Fatal("account add with a wrong password succeeded")
	}

	pollMu.Lock()
	m := regexp.MustCompile(`"appPassword"\s*:\s*"([^"]+)"`).FindSubmatch(pollRaw.Bytes())
	pollMu.Unlock()
	if m == nil {
		t.Fatalf("no app password in the Login Flow's poll answers: %q", pollRaw.String())
	}
	appPassword := string(m[1])
	secrets := map[string]string{
		"the WebDAV password": xs.Password, "the Nextcloud password": nc.Password, "the app password": appPassword,
		"the session token": tok.Token, "the admin password": admin,
	}
	// While serve runs the WAL holds the recent writes.
	secNoSecretFiles(t, dataDir, secrets, "while serve runs")
	in.stop()
	secNoSecretFiles(t, dataDir, secrets, "after serve stopped")

	logs := in.stdout.String() + in.stderr.String()
	if !strings.Contains(logs, "level=DEBUG") {
		t.Fatalf("no debug line in the logs: the search below would prove little\n%.2000s", logs)
	}
	for where, text := range map[string]string{"the logs": logs, "the API answers and CLI output": rec.String()} {
		for name, s := range secrets {
			if strings.Contains(text, s) {
				i := strings.Index(text, s)
				t.Errorf("%s appears in %s: …%s…", name, where, text[max(i-200, 0):i])
			}
		}
		if m := secCredentialURL.FindString(text); m != "" {
			t.Errorf("a URL with credentials appears in %s: %q", where, m)
		}
	}
	info, err := os.Stat(filepath.Join(dataDir, "secret.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	t.Logf("%d log lines, %d API answers and CLI outputs searched", strings.Count(logs, "\n"), rec.n)
	secReport(t, "secrets: log lines and API/CLI answers searched, none with a secret", fmt.Sprintf("%d lines, %d answers", strings.Count(logs, "\n"), rec.n))
}

// secNoSecretFiles fails when a file of the data folder holds a secret in
// clear, and when the database is not there to be searched.
func secNoSecretFiles(t *testing.T, dir string, secrets map[string]string, when string) {
	t.Helper()
	db := false
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".db") {
			db = true
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for name, s := range secrets {
			if name != "the session token" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: %s holds %s in clear", when, filepath.Base(p), name)
			}
			if name == "the session token" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: %s holds the session token (only its hash should be kept)", when, filepath.Base(p))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !db {
		t.Fatalf("%s: no database in %s", when, dir)
	}
}
