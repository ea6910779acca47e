package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// fakeNextcloud is a LoginFlowClient in memory: each start hands out a
// poll token, grant makes the next poll of it answer (once), as Nextcloud
// does.
type fakeNextcloud struct {
	mu       sync.Mutex
	starts   int
	polls    int
	grants   map[string]domain.LoginGrant // by poll token
	startErr error
	pollErr  error
}

var _ ports.LoginFlowClient = (*fakeNextcloud)(nil)

func (f *fakeNextcloud) StartLoginFlow(_ context.Context, creds domain.Credentials) (domain.LoginFlowStart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return domain.LoginFlowStart{}, f.startErr
	}
	f.starts++
	return domain.LoginFlowStart{
		LoginURL:     fmt.Sprintf("%sindex.php/login/v2/flow/login-%d", creds.URL, f.starts),
		PollEndpoint: creds.URL + "index.php/login/v2/poll",
		PollToken:    domain.Secret(fmt.Sprintf("poll-token-%d", f.starts)),
	}, nil
}

func (f *fakeNextcloud) PollLoginFlow(_ context.Context, _ domain.Credentials, start domain.LoginFlowStart) (domain.LoginGrant, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	if f.pollErr != nil {
		return domain.LoginGrant{}, false, f.pollErr
	}
	g, ok := f.grants[start.PollToken.Reveal()]
	delete(f.grants, start.PollToken.Reveal())
	return g, ok, nil
}

// grant lets the n-th flow's next poll answer g.
func (f *fakeNextcloud) grant(n int, g domain.LoginGrant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.grants == nil {
		f.grants = map[string]domain.LoginGrant{}
	}
	f.grants[fmt.Sprintf("poll-token-%d", n)] = g
}

// flowWorld is the world with a Nextcloud at https://cloud.example.com/
// that accepts alice@example.com with the app password app-pw-123.
type flowWorld struct {
	*world
	nc    *fakeNextcloud
	flows *app.LoginFlows
}

const appPassword = "app-pw-123"

func newFlowWorld(t *testing.T) *flowWorld {
	t.Helper()
	w := newWorld(t)
	w.conn.Register("https://cloud.example.com/", domain.TypeNextcloud, "alice@example.com", appPassword, memory.NewServer(w.clock))
	nc := &fakeNextcloud{}
	return &flowWorld{world: w, nc: nc, flows: app.NewLoginFlows(nc, w.accounts, w.clock, slog.New(slog.NewTextHandler(w.logs, nil)))}
}

func TestLoginFlowConnectsTheAccount(t *testing.T) {
	ctx := context.Background()
	w := newFlowWorld(t)
	f, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "Cloud.example.com", Name: ptr("Cloud")})
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == "" || f.State != domain.LoginPending || f.Start.LoginURL != "https://cloud.example.com/index.php/login/v2/flow/login-1" ||
		!f.ExpiresAt.Equal(w.clock.Now().Add(20*time.Minute)) || f.Start.PollToken != "" || f.Start.PollEndpoint != "" {
		t.Fatalf("started flow %+v", f)
	}
	if f, err = w.flows.Poll(ctx, f.ID); err != nil || f.State != domain.LoginPending {
		t.Fatalf("poll before the grant: %+v, %v", f, err)
	}
	w.nc.grant(1, domain.LoginGrant{Server: "https://cloud.example.com", LoginName: "alice@example.com", AppPassword: appPassword})
	f, err = w.flows.Poll(ctx, f.ID)
	if err != nil || f.State != domain.LoginDone {
		t.Fatalf("poll after the grant: %+v, %v", f, err)
	}
	a := f.Account
	if a.ID == 0 || a.Name != "Cloud" || a.Type != domain.TypeNextcloud || a.Username != "alice@example.com" ||
		a.URL != "https://cloud.example.com/" || !a.HasPassword() || strings.Contains(string(a.Secret), appPassword) {
		t.Fatalf("account %+v", a)
	}
	again, err := w.flows.Poll(ctx, f.ID)
	if err != nil || again.State != domain.LoginDone || again.Account.ID != a.ID {
		t.Fatalf("a later poll: %+v, %v", again, err)
	}
	if all, _ := w.accounts.Accounts(ctx); len(all) != 1 {
		t.Fatalf("%d accounts, want 1", len(all))
	}
	if w.nc.polls != 2 {
		t.Fatalf("%d polls of the server, want 2: a done flow asks no more", w.nc.polls)
	}
	for _, secret := range []string{"poll-token-1", appPassword} {
		if strings.Contains(w.logs.String(), secret) || strings.Contains(fmt.Sprintf("%v %+v %#v", f, f, f), secret) {
			t.Fatalf("%q shows in the logs or the flow", secret)
		}
	}
}

func TestLoginFlowExpiresAfter20Minutes(t *testing.T) {
	ctx := context.Background()
	w := newFlowWorld(t)
	f, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "https://cloud.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(20*time.Minute - time.Second)
	if p, err := w.flows.Poll(ctx, f.ID); err != nil || p.State != domain.LoginPending {
		t.Fatalf("at 19:59: %+v, %v", p, err)
	}
	w.clock.Advance(time.Second)
	w.nc.grant(1, domain.LoginGrant{Server: "https://cloud.example.com", LoginName: "alice@example.com", AppPassword: appPassword})
	_, err = w.flows.Poll(ctx, f.ID)
	if domain.ErrorCode(err) != domain.ENOTFOUND || domain.ErrorMessage(err) != "the sign-in expired; start again" {
		t.Fatalf("at 20:00: %v", err)
	}
	if all, _ := w.accounts.Accounts(ctx); len(all) != 0 {
		t.Fatal("an expired flow connected an account")
	}
	if _, err := w.flows.Poll(ctx, "no-such-flow"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("an unknown flow: %v", err)
	}
}

func TestLoginFlowPollErrorsKeepItPending(t *testing.T) {
	ctx := context.Background()
	w := newFlowWorld(t)
	f, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "cloud.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	w.nc.pollErr = domain.RemoteErrorf(domain.EUNAVAILABLE, "the server is busy or failing (503 Service Unavailable)")
	if p, err := w.flows.Poll(ctx, f.ID); domain.ErrorCode(err) != domain.EUNAVAILABLE || p.State != domain.LoginPending {
		t.Fatalf("a failing poll: %+v, %v", p, err)
	}
	w.nc.pollErr = nil
	w.nc.grant(1, domain.LoginGrant{Server: "http://cloud.example.com", LoginName: "alice@example.com", AppPassword: appPassword})
	p, err := w.flows.Poll(ctx, f.ID)
	if err != nil || p.State != domain.LoginDone {
		t.Fatalf("the next poll: %+v, %v", p, err)
	}
	// The grant named the server over http; the person typed https.
	if p.Account.URL != "https://cloud.example.com/" || p.Account.Name != "alice@example.com@cloud.example.com" {
		t.Fatalf("account %+v", p.Account)
	}
}

func TestLoginFlowGrantThatCannotConnect(t *testing.T) {
	ctx := context.Background()
	w := newFlowWorld(t)
	f, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "cloud.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	w.nc.grant(1, domain.LoginGrant{Server: "https://cloud.example.com", LoginName: "alice@example.com", AppPassword: "not-the-app-pw"})
	for i := 0; i < 2; i++ {
		p, err := w.flows.Poll(ctx, f.ID)
		if domain.ErrorCode(err) != domain.EUNAUTHORIZED || p.State != domain.LoginFailed {
			t.Fatalf("poll %d: %+v, %v", i, p, err)
		}
	}
	if w.nc.polls != 1 {
		t.Fatalf("%d polls of the server, want 1", w.nc.polls)
	}
	if all, _ := w.accounts.Accounts(ctx); len(all) != 0 {
		t.Fatal("a failed flow stored an account")
	}
	if !strings.Contains(w.logs.String(), "could not be connected") || strings.Contains(w.logs.String(), "not-the-app-pw") {
		t.Fatalf("logs: %s", w.logs.String())
	}
}

func TestLoginFlowStartRefusals(t *testing.T) {
	ctx := context.Background()
	w := newFlowWorld(t)
	if _, err := w.accounts.Connect(ctx, app.AccountInput{Name: ptr("Home"), URL: ptr("dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   app.LoginFlowInput
		code string
		want string
	}{
		{app.LoginFlowInput{URL: ""}, domain.EINVALID, "URL is empty"},
		{app.LoginFlowInput{URL: "ftp://cloud.example.com"}, domain.EINVALID, "http:// or https://"},
		{app.LoginFlowInput{URL: "cloud.example.com", Name: ptr("Home")}, domain.ECONFLICT, `"Home" exists already`},
		{app.LoginFlowInput{URL: "cloud.example.com", Timeout: ptr(time.Hour)}, domain.EINVALID, "timeout"},
	} {
		_, err := w.flows.Start(ctx, c.in)
		if domain.ErrorCode(err) != c.code || !strings.Contains(domain.ErrorMessage(err), c.want) {
			t.Errorf("Start(%+v): %v, want %s %q", c.in, err, c.code, c.want)
		}
	}
	if w.nc.starts != 0 {
		t.Fatalf("refused starts reached the server %d times", w.nc.starts)
	}
	w.nc.startErr = domain.RemoteErrorf(domain.EINVALID, "https://dav.example.com/ is not a Nextcloud server")
	if _, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "dav.example.com"}); !errors.Is(err, w.nc.startErr) {
		t.Fatalf("the server's refusal: %v", err)
	}
	w.nc.startErr = nil
	for i := 0; i < app.MaxLoginFlows; i++ {
		if _, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "cloud.example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "cloud.example.com"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("one flow too many: %v", err)
	}
	w.clock.Advance(domain.LoginFlowTTL)
	if _, err := w.flows.Start(ctx, app.LoginFlowInput{URL: "cloud.example.com"}); err != nil {
		t.Fatalf("after the others expired: %v", err)
	}
}

// revokingConnector opens storage that can revoke its app password, and
// records the revocations.
type revokingConnector struct {
	*memory.Connector
	mu      sync.Mutex
	revoked []string // the passwords revoked
	err     error
}

type revokingStorage struct {
	ports.RemoteStorage
	c        *revokingConnector
	password string
}

func (c *revokingConnector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	st, err := c.Connector.Open(creds, typ)
	if err != nil {
		return nil, err
	}
	return &revokingStorage{RemoteStorage: st, c: c, password: creds.Password}, nil
}

func (s *revokingStorage) RevokeAppPassword(context.Context) (bool, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.err != nil {
		return false, s.c.err
	}
	s.c.revoked = append(s.c.revoked, s.password)
	return true, nil
}

func TestRemoveRevokesTheAppPassword(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	conn := &revokingConnector{Connector: w.conn}
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, 32)) // the world's key
	accounts := app.NewAccounts(w.store, box, conn, w.clock, slog.New(slog.NewTextHandler(w.logs, nil)))
	w.conn.Register("https://cloud.example.com/", domain.TypeNextcloud, "alice@example.com", appPassword, memory.NewServer(w.clock))
	connect := func(url, user, pw string) domain.Account {
		t.Helper()
		a, err := accounts.Connect(ctx, app.AccountInput{URL: &url, Username: &user, Password: &pw})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	nc := connect("cloud.example.com", "alice@example.com", appPassword)
	r, err := accounts.RemoveAccount(ctx, nc.ID)
	if err != nil || !r.Revoked || r.RevokeError != "" || len(conn.revoked) != 1 || conn.revoked[0] != appPassword {
		t.Fatalf("RemoveAccount = %+v, %v; revoked %q", r, err, conn.revoked)
	}
	if _, err := accounts.Account(ctx, nc.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("the account is still there: %v", err)
	}

	// A server that cannot revoke does not keep the account.
	nc = connect("cloud.example.com", "alice@example.com", appPassword)
	conn.err = domain.RemoteErrorf(domain.EUNAVAILABLE, "connection to cloud.example.com refused")
	r, err = accounts.RemoveAccount(ctx, nc.ID)
	if err != nil || r.Revoked || !strings.Contains(r.RevokeError, "did not revoke the app password: connection to cloud.example.com refused") {
		t.Fatalf("RemoveAccount with a dead server = %+v, %v", r, err)
	}
	if _, err := accounts.Account(ctx, nc.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("the account is still there: %v", err)
	}
	if !strings.Contains(w.logs.String(), "could not revoke") || strings.Contains(w.logs.String(), appPassword) {
		t.Fatalf("logs: %s", w.logs.String())
	}

	// Plain WebDAV accounts have no app password; Remove is RemoveAccount.
	conn.err, conn.revoked = nil, nil
	dav := connect("dav.example.com", "bob", "hunter2")
	if err := accounts.Remove(ctx, dav.ID); err != nil || len(conn.revoked) != 0 {
		t.Fatalf("Remove(webdav) = %v; revoked %q", err, conn.revoked)
	}
	if _, err := accounts.RemoveAccount(ctx, dav.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("removing it again: %v", err)
	}
}
