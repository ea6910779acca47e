package app

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// maxLoginFlows bounds the sign-ins in progress at once, so that a
// stream of starts cannot fill the memory.
const maxLoginFlows = 100

// finishTimeout bounds connecting the account once access was granted;
// the grant is gone from the server by then, so this goes on even when
// the poll that received it is cancelled.
const finishTimeout = 2 * time.Minute

// LoginFlows adds Nextcloud accounts with Login Flow v2: the person signs
// in on their Nextcloud in a browser and grants access, Nextcloud hands
// photosync an app password, and the account is connected with it. The
// person's own password never reaches photosync.
//
// Flows live in the memory of this process, poll tokens included, and are
// forgotten LoginFlowTTL after they start; a flow started in one process
// cannot be polled in another. That suits the self-hosted binary and the
// CLI; on Lambda, where each request may reach another instance, flows
// need a store (a LoginFlowStore port keeping the poll token sealed).
type LoginFlows struct {
	client   ports.LoginFlowClient
	accounts *Accounts
	clock    ports.Clock
	log      *slog.Logger

	mu    sync.Mutex
	flows map[string]*loginFlow
}

// loginFlow is a flow with the bookkeeping of this process.
type loginFlow struct {
	domain.LoginFlow
	polling bool // a poll or the connect after it is under way
}

// NewLoginFlows returns the Login Flow v2 use cases.
func NewLoginFlows(client ports.LoginFlowClient, accounts *Accounts, clock ports.Clock, log *slog.Logger) *LoginFlows {
	return &LoginFlows{client: client, accounts: accounts, clock: clock, log: log, flows: map[string]*loginFlow{}}
}

// LoginFlowInput is what a person gives to start a sign-in: the Nextcloud
// address, and optionally the new account's name, CA certificates and
// timeout.
type LoginFlowInput struct {
	URL     string
	Name    *string
	CACert  *string
	Timeout *time.Duration
}

// Start asks the Nextcloud at in.URL to start a sign-in and returns the
// flow, whose Start.LoginURL the person opens in a browser. The returned
// flow has no poll token. EINVALID for a bad input or a server that is no
// Nextcloud, ECONFLICT for a name in use or too many sign-ins in
// progress, and the server's errors (EUNAVAILABLE, TLS problems).
func (s *LoginFlows) Start(ctx context.Context, in LoginFlowInput) (domain.LoginFlow, error) {
	// The account's settings are checked now, so that a grant does not
	// end in a refusal the person could have been told about first.
	probe := domain.NewAccount()
	AccountInput{Name: in.Name, URL: &in.URL, CACert: in.CACert, Timeout: in.Timeout}.apply(&probe)
	named := probe.Name != ""
	if !named {
		probe.Name = "-"
	}
	if err := probe.Normalize(); err != nil {
		return domain.LoginFlow{}, err
	}
	if named {
		if err := s.nameFree(ctx, probe.Name); err != nil {
			return domain.LoginFlow{}, err
		}
	}
	s.mu.Lock()
	s.sweep()
	full := len(s.flows) >= maxLoginFlows
	s.mu.Unlock()
	if full {
		return domain.LoginFlow{}, domain.Errorf(domain.ECONFLICT, "too many sign-ins are in progress; finish one or wait %d minutes", int(domain.LoginFlowTTL.Minutes()))
	}
	creds := domain.Credentials{URL: probe.URL, CACert: probe.CACert, Timeout: probe.Timeout}
	start, err := s.client.StartLoginFlow(ctx, creds)
	if err != nil {
		return domain.LoginFlow{}, err
	}
	id := rand.Text()
	f := &loginFlow{LoginFlow: domain.NewLoginFlow(id, probe.URL, start, s.clock.Now())}
	if named {
		f.Name = probe.Name
	}
	f.CACert, f.Timeout = probe.CACert, probe.Timeout
	s.mu.Lock()
	s.flows[id] = f
	s.mu.Unlock()
	s.log.InfoContext(ctx, "login flow started", "flow", id, "host", host(probe.URL))
	return f.Public(), nil
}

// Poll asks whether the person has granted access yet. While they have
// not, it answers the pending flow. Once they have, it connects the
// account with the app password and answers the flow done, with the
// account; later polls answer the same until the flow expires. When the
// account cannot be connected, the app password is revoked and the error
// answered, then and on later polls. ENOTFOUND "the sign-in expired; start
// again" once the flow is gone; a failed poll of the server answers its
// error and leaves the flow pending.
func (s *LoginFlows) Poll(ctx context.Context, id string) (domain.LoginFlow, error) {
	s.mu.Lock()
	s.sweep()
	f, ok := s.flows[id]
	if !ok {
		s.mu.Unlock()
		return domain.LoginFlow{}, domain.ErrLoginFlowExpired()
	}
	snapshot := f.Public()
	if f.State != domain.LoginPending || f.polling {
		s.mu.Unlock()
		if f.State == domain.LoginFailed {
			return snapshot, f.Error
		}
		return snapshot, nil
	}
	f.polling = true
	flow := f.LoginFlow
	s.mu.Unlock()

	state, account, err := s.poll(ctx, flow)

	s.mu.Lock()
	defer s.mu.Unlock()
	f.polling = false
	switch state {
	case domain.LoginDone:
		f.State, f.Account = state, account
	case domain.LoginFailed:
		f.State, f.Error = state, err
	}
	return f.Public(), err
}

// poll asks the server once and, when access was granted, connects the
// account.
func (s *LoginFlows) poll(ctx context.Context, f domain.LoginFlow) (domain.LoginFlowState, domain.Account, error) {
	creds := domain.Credentials{URL: f.ServerURL, CACert: f.CACert, Timeout: f.Timeout}
	grant, granted, err := s.client.PollLoginFlow(ctx, creds, f.Start)
	if err != nil {
		s.log.WarnContext(ctx, "login flow poll failed", "flow", f.ID, "host", host(f.ServerURL), "err", err)
		return domain.LoginPending, domain.Account{}, err
	}
	if !granted {
		return domain.LoginPending, domain.Account{}, nil
	}
	// The grant is handed over once: finish even if the poll's caller
	// goes away.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	server := grantServer(grant.Server, f.ServerURL)
	password := grant.AppPassword.Reveal()
	in := AccountInput{URL: &server, Username: &grant.LoginName, Password: &password, CACert: &f.CACert, Timeout: &f.Timeout}
	if f.Name != "" {
		in.Name = &f.Name
	}
	a, err := s.accounts.Connect(ctx, in)
	if err != nil {
		s.log.WarnContext(ctx, "login flow granted but the account could not be connected", "flow", f.ID, "host", host(server), "err", err)
		s.revokeGrant(ctx, server, grant, f)
		return domain.LoginFailed, domain.Account{}, err
	}
	s.log.InfoContext(ctx, "login flow done", "flow", f.ID, "account", a.ID)
	return domain.LoginDone, a, nil
}

// revokeGrant revokes an app password that no account keeps, best effort.
func (s *LoginFlows) revokeGrant(ctx context.Context, server string, grant domain.LoginGrant, f domain.LoginFlow) {
	creds := domain.Credentials{URL: server, Username: grant.LoginName, Password: grant.AppPassword.Reveal(), CACert: f.CACert, Timeout: f.Timeout}
	if err := s.accounts.RevokeAppPassword(ctx, creds); err != nil {
		s.log.WarnContext(ctx, "could not revoke the unused app password", "flow", f.ID, "host", host(server), "err", err)
	}
}

// grantServer is the server a grant names, as the Login Flow document
// says to use, unless it is not a URL or would drop https for http; then
// the server the person typed.
func grantServer(granted, typed string) string {
	g, err := domain.NormalizeURL(granted)
	if err != nil || strings.TrimSpace(granted) == "" {
		return typed
	}
	gu, _ := url.Parse(g)
	tu, err := url.Parse(typed)
	if err != nil || (tu.Scheme == "https" && gu.Scheme != "https") {
		return typed
	}
	return g
}

// nameFree answers ECONFLICT when an account has the name.
func (s *LoginFlows) nameFree(ctx context.Context, name string) error {
	all, err := s.accounts.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Name == name {
			return domain.Errorf(domain.ECONFLICT, "name: an account named %q exists already", name)
		}
	}
	return nil
}

// sweep forgets expired flows; s.mu must be held.
func (s *LoginFlows) sweep() {
	now := s.clock.Now()
	for id, f := range s.flows {
		if f.Expired(now) && !f.polling {
			delete(s.flows, id)
		}
	}
}
