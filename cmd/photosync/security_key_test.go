package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestWrongSecretKeyReported: passwords saved under the key file, then
// serve started with PHOTOSYNC_SECRET_KEY set to another valid key. Using
// the account says the stored passwords cannot be decrypted with this
// key, in the API's answer, the account's status, a sync job and the CLI;
// nothing is lost: with the right key again the account works.
func TestWrongSecretKeyReported(t *testing.T) {
	xs := davtest.StartXNet(t)
	dataDir := t.TempDir()
	env := map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e"}
	in := startServe(t, dataDir, env)
	in.login("admin-e2e")
	var a account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": xs.URL, "username": xs.Username, "password": xs.Password,
		"sync_enabled": true, "sync_folder": "/Photos"}, &a); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	in.stop()

	const want = "cannot be decrypted with this"
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	env["PHOTOSYNC_SECRET_KEY"] = other
	in = startServe(t, dataDir, env)
	in.login("admin-e2e")
	rec := &secRecorder{}
	var e apiError
	st := secCall(in, rec, "POST", fmt.Sprintf("/api/v1/accounts/%d/test", a.ID), nil, &e)
	if st < 400 || !strings.Contains(e.Error.Message, want) || !strings.Contains(e.Error.Message, "PHOTOSYNC_SECRET_KEY") || !strings.Contains(e.Error.Message, "not the key they were encrypted with") {
		t.Fatalf("test with the wrong key: %d %+v", st, e)
	}
	t.Logf("with the wrong key: %d %s", st, e.Error.Message)
	secCall(in, rec, "GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil, &a)
	var full struct {
		LastError string `json:"last_error"`
	}
	secCall(in, rec, "GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil, &full)
	if a.Status != "error" || !strings.Contains(full.LastError, want) {
		t.Errorf("account after the test: status %q, last error %q", a.Status, full.LastError)
	}
	var job struct {
		secJob
		apiError
	}
	// serve's own scheduled work (a due sync or verify at start) may hold
	// the account a moment: 409 until it lets go.
	testkit.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		st = secCall(in, rec, "POST", fmt.Sprintf("/api/v1/accounts/%d/sync", a.ID), nil, &job)
		return st != 409
	})
	if st == 202 {
		if j := secWaitJob(t, in, rec, job.ID); j.State != "failed" || !strings.Contains(j.Error, want) {
			t.Errorf("sync with the wrong key: %+v", j)
		}
	} else if !strings.Contains(job.apiError.Error.Message, want) {
		t.Errorf("sync with the wrong key: %d %+v", st, job.apiError)
	}
	in.stop()
	cliEnv := map[string]string{"PHOTOSYNC_DATA": dataDir, "PHOTOSYNC_SECRET_KEY": other}
	if _, err := secCLI(rec, cliEnv, "", "account", "test", fmt.Sprint(a.ID)); err == nil || !strings.Contains(describe(err), want) {
		t.Errorf("CLI test with the wrong key: %v", err)
	}
	if strings.Contains(rec.String(), xs.Password) {
		t.Error("the password shows in an answer")
	}

	// The right key again: nothing was lost.
	delete(cliEnv, "PHOTOSYNC_SECRET_KEY")
	if out, err := secCLI(rec, cliEnv, "", "account", "test", fmt.Sprint(a.ID)); err != nil || !strings.Contains(out, "works") {
		t.Fatalf("CLI test with the right key: %v %s", err, out)
	}
}
