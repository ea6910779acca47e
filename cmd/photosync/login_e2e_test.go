package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestLoginFlowEndToEnd adds a Nextcloud account through Login Flow v2
// through the binary's entry point: with the API (start, poll, grant,
// poll), with `photosync account login --json`, and in the web UI's Add
// server dialog with "Sign in with Nextcloud". The user id differs from the
// login name; the person's password is nowhere in the data folder or the
// output; removing an account revokes its app password on the server.
func TestLoginFlowEndToEnd(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	dataDir := t.TempDir()
	in := startServe(t, dataDir, map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e"})
	in.login("admin-e2e")

	// The API.
	var f struct {
		ID, State string
		LoginURL  string `json:"login_url"`
		Account   *account
	}
	if st := in.call("POST", "/api/v1/login-flows", map[string]any{"url": nc.BaseURL, "name": "Cloud"}, &f); st != 201 || f.State != "pending" {
		t.Fatalf("start: %d %+v", st, f)
	}
	if st := in.call("GET", "/api/v1/login-flows/"+f.ID, nil, &f); st != 200 || f.State != "pending" {
		t.Fatalf("poll: %d %+v", st, f)
	}
	nc.GrantLogin(t, f.LoginURL)
	if st := in.call("GET", "/api/v1/login-flows/"+f.ID, nil, &f); st != 200 || f.State != "done" || f.Account == nil ||
		f.Account.UserID != nc.UserID || f.Account.Username != nc.LoginName || f.Account.URL != nc.DAVURL {
		t.Fatalf("poll after the grant: %d %+v", st, f)
	}
	if st := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/folders", f.Account.ID), map[string]string{"path": "/Photos"}, nil); st != 201 {
		t.Fatalf("the account does not work: %d", st)
	}

	// The CLI, on the same data folder.
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	env := func(k string) string { return in.env[k] }
	go func() {
		done <- run(context.Background(), []string{"photosync", "account", "login", nc.DAVURL, "--name", "Cloud CLI", "--json"}, env, strings.NewReader(""), out, errOut)
	}()
	re := regexp.MustCompile(`(http://\S+/index\.php/login/v2/flow/\S+)`)
	if !testkit.Poll(20*time.Second, 20*time.Millisecond, func() bool { return re.FindString(errOut.String()) != "" }) {
		t.Fatalf("account login printed no URL: %s", errOut.String())
	}
	nc.GrantLogin(t, re.FindString(errOut.String()))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("account login: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("account login did not end")
	}
	var cliAccount account
	if err := json.Unmarshal([]byte(out.String()), &cliAccount); err != nil || cliAccount.Name != "Cloud CLI" || cliAccount.UserID != nc.UserID {
		t.Fatalf("account login printed %s (%v)", out.String(), err)
	}

	// The web UI.
	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/settings/backup"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-e2e")
	b.click(".signin-card button[type=submit]")
	b.click("#add-server")
	b.waitFor("the Add server dialog", `!!document.querySelector('#server-dialog[open]')`)
	b.do("record window.open", chromedp.Evaluate[chromedp.Void](`window.opened = []; window.open = (...a) => { window.opened.push(a); return null; }`))
	b.fill("#server-url", nc.BaseURL)
	b.click("#server-signin-nextcloud")
	b.waitFor("the sign-in link", `!!document.querySelector('#server-signin-link')`)
	var opened [][]string
	b.eval(`window.opened`, &opened)
	var link string
	b.eval(`document.querySelector('#server-signin-link').href`, &link)
	if len(opened) != 1 || opened[0][0] != link || opened[0][1] != "_blank" || !strings.Contains(opened[0][2], "noopener") {
		t.Fatalf("window.open calls %q, link %q", opened, link)
	}
	b.shot("signin-nextcloud")
	nc.GrantLogin(t, link)
	b.waitFor("the new server's page", `/^\/settings\/backup\/\d+$/.test(location.pathname) && !document.querySelector('#server-dialog')`)

	// Removing the CLI's account revokes its app password; the person's
	// password was never stored.
	var accounts struct{ Accounts []account }
	in.call("GET", "/api/v1/accounts", nil, &accounts)
	if len(accounts.Accounts) != 3 {
		t.Fatalf("accounts %+v", accounts.Accounts)
	}
	assertNoSecretIn(t, dataDir, []string{nc.Password})
	if strings.Contains(in.stdout.String()+in.stderr.String()+out.String()+errOut.String(), nc.Password) {
		t.Fatal("the person's password shows in the output")
	}
	if st := in.call("DELETE", fmt.Sprintf("/api/v1/accounts/%d", cliAccount.ID), nil, nil); st != 204 {
		t.Fatalf("remove: %d", st)
	}
	var st struct{ Status string }
	if code := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/test", f.Account.ID), nil, &st); code != 200 {
		t.Fatalf("the other account stopped working: %d", code)
	}
}
