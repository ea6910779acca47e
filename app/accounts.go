package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Accounts connects, changes and removes accounts, and reaches their
// servers' folders.
type Accounts struct {
	store     ports.AccountStore
	box       ports.SecretBox
	connector ports.Connector
	clock     ports.Clock
	log       *slog.Logger
}

// NewAccounts returns the accounts use cases.
func NewAccounts(store ports.AccountStore, box ports.SecretBox, connector ports.Connector, clock ports.Clock, log *slog.Logger) *Accounts {
	return &Accounts{store: store, box: box, connector: connector, clock: clock, log: log}
}

// Connect tests the connection described by in and, when it works, stores
// the account with the discovered endpoint and the sealed password. Errors
// from the server keep their code and message (EUNAUTHORIZED for a wrong
// password, EUNAVAILABLE for a dead server, ...); EINVALID for bad input;
// ECONFLICT for a name in use.
func (s *Accounts) Connect(ctx context.Context, in AccountInput) (domain.Account, error) {
	a := domain.NewAccount()
	in.apply(&a)
	if in.URL == nil {
		return domain.Account{}, domain.Errorf(domain.EINVALID, "url: the server URL is missing")
	}
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		name, err := s.freeName(ctx, defaultName(a.Username, a.URL))
		if err != nil {
			return domain.Account{}, err
		}
		a.Name = name
	}
	if err := a.Normalize(); err != nil {
		return domain.Account{}, err
	}
	password := ""
	if in.Password != nil {
		password = *in.Password
	}
	if err := s.discover(ctx, &a, password); err != nil {
		return domain.Account{}, err
	}
	if err := s.seal(&a, password); err != nil {
		return domain.Account{}, err
	}
	a.Status = domain.StatusOK
	if err := s.store.CreateAccount(ctx, &a); err != nil {
		return domain.Account{}, err
	}
	s.log.InfoContext(ctx, "account connected", "account", a.ID, "type", a.Type, "host", host(a.URL))
	return a, nil
}

// Update changes an account's settings. A changed URL, user name,
// password, CA certificate or timeout is tested against the server before
// it is saved. Errors as Connect, and ENOTFOUND.
func (s *Accounts) Update(ctx context.Context, id int64, in AccountInput) (domain.Account, error) {
	cur, err := s.store.Account(ctx, id)
	if err != nil {
		return domain.Account{}, err
	}
	next := cur
	in.apply(&next)
	if err := next.Normalize(); err != nil {
		return domain.Account{}, err
	}
	var found *domain.Discovery
	var sealed []byte
	if in.changesConnection(cur) {
		password, err := s.password(cur)
		if err != nil && in.Password == nil {
			return domain.Account{}, err
		}
		if in.Password != nil {
			password = *in.Password
		}
		if err := s.discover(ctx, &next, password); err != nil {
			return domain.Account{}, err
		}
		found = &domain.Discovery{Type: next.Type, Endpoint: next.URL, UserID: next.UserID}
		if in.Password != nil {
			if err := s.seal(&next, password); err != nil {
				return domain.Account{}, err
			}
			sealed = next.Secret
		}
	}
	return s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
		in.apply(a)
		if err := a.Normalize(); err != nil {
			return err
		}
		if found != nil {
			a.Type, a.URL, a.UserID = found.Type, found.Endpoint, found.UserID
			a.Status, a.LastError = domain.StatusOK, ""
		}
		if sealed != nil {
			a.Secret = sealed
		}
		return nil
	})
}

// Account returns one account. ENOTFOUND.
func (s *Accounts) Account(ctx context.Context, id int64) (domain.Account, error) {
	return s.store.Account(ctx, id)
}

// Accounts returns all accounts.
func (s *Accounts) Accounts(ctx context.Context) ([]domain.Account, error) {
	return s.store.Accounts(ctx)
}

// Remove deletes an account and, for a Nextcloud account, revokes its
// app password on the server (see RemoveAccount). ENOTFOUND.
func (s *Accounts) Remove(ctx context.Context, id int64) error {
	_, err := s.RemoveAccount(ctx, id)
	return err
}

// Removal tells what removing an account did to its password on the
// server.
type Removal struct {
	// Revoked is true when the server revoked the app password.
	Revoked bool
	// RevokeError says why revoking failed; "" when it worked or there was
	// nothing to revoke.
	RevokeError string
}

// revokeTimeout bounds asking the server to revoke an app password.
const revokeTimeout = 30 * time.Second

// RemoveAccount deletes an account, then, for a Nextcloud account with a
// password, asks the server to revoke it, as Nextcloud's clients do: an
// app password (from Login Flow v2 or made by the person for photosync)
// stops working; the person's own password is left alone (Nextcloud
// refuses to revoke it). Revoking is best effort: the account is removed
// whatever the server says, and a failure is logged and told in the
// Removal, because a server that is gone for good must not keep an
// account from being removed. ENOTFOUND.
func (s *Accounts) RemoveAccount(ctx context.Context, id int64) (Removal, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return Removal{}, err
	}
	if err := s.store.DeleteAccount(ctx, id); err != nil {
		return Removal{}, err
	}
	s.log.InfoContext(ctx, "account removed", "account", id)
	if a.Type != domain.TypeNextcloud || !a.HasPassword() {
		return Removal{}, nil
	}
	// The account is gone: finish even if the caller stops waiting.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
	defer cancel()
	revoked, err := s.revoke(ctx, a)
	if err != nil {
		s.log.WarnContext(ctx, "could not revoke the app password of a removed account", "account", id, "host", host(a.URL), "err", err)
		return Removal{RevokeError: "the server did not revoke the app password: " + domain.ErrorMessage(err)}, nil
	}
	if revoked {
		s.log.InfoContext(ctx, "app password revoked", "account", id, "host", host(a.URL))
	}
	return Removal{Revoked: revoked}, nil
}

// revoke asks an account's server to revoke its app password, when the
// storage can.
func (s *Accounts) revoke(ctx context.Context, a domain.Account) (bool, error) {
	password, err := s.password(a)
	if err != nil {
		return false, err
	}
	st, err := s.connector.Open(s.credentials(a, password), a.Type)
	if err != nil {
		return false, err
	}
	r, ok := st.(ports.AppPasswordRevoker)
	if !ok {
		return false, nil
	}
	return r.RevokeAppPassword(ctx)
}

// Test connects to an account's server now and records the outcome in the
// account's status. It returns the server's error, if any.
func (s *Accounts) Test(ctx context.Context, id int64) (domain.Account, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return domain.Account{}, err
	}
	password, err := s.password(a)
	if err == nil {
		_, err = s.discoverRetrying(ctx, s.credentials(a, password))
	}
	if errors.Is(err, context.Canceled) {
		return a, err
	}
	updated, uerr := s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
		recordOutcome(a, err)
		return nil
	})
	if uerr != nil {
		return a, uerr
	}
	return updated, err
}

// Folders lists the subfolders of a folder on an account's server, sorted
// by name. Errors are the server's, and ENOTFOUND for a missing account.
func (s *Accounts) Folders(ctx context.Context, id int64, dir string) ([]domain.RemoteFile, error) {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return nil, err
	}
	st, err := s.Storage(ctx, id)
	if err != nil {
		return nil, err
	}
	entries, err := st.List(ctx, dir)
	if err != nil {
		return nil, s.NoteFailure(ctx, id, err)
	}
	folders := slices.DeleteFunc(entries, func(f domain.RemoteFile) bool { return !f.IsDir })
	slices.SortFunc(folders, func(a, b domain.RemoteFile) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return folders, nil
}

// CreateFolder creates a folder with its missing parents on an account's
// server and returns it.
func (s *Accounts) CreateFolder(ctx context.Context, id int64, dir string) (domain.RemoteFile, error) {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return domain.RemoteFile{}, err
	}
	if dir == "/" {
		return domain.RemoteFile{}, domain.Errorf(domain.EINVALID, "path: name the folder to create")
	}
	st, err := s.Storage(ctx, id)
	if err != nil {
		return domain.RemoteFile{}, err
	}
	if err := st.MkdirAll(ctx, dir); err != nil {
		return domain.RemoteFile{}, s.NoteFailure(ctx, id, err)
	}
	f, err := st.Stat(ctx, dir)
	if err != nil {
		return domain.RemoteFile{}, s.NoteFailure(ctx, id, err)
	}
	return f, nil
}

// Storage opens an account's remote storage with its stored password.
func (s *Accounts) Storage(ctx context.Context, id int64) (ports.RemoteStorage, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return nil, err
	}
	password, err := s.password(a)
	if err != nil {
		return nil, err
	}
	return s.connector.Open(s.credentials(a, password), a.Type)
}

// NoteFailure marks the account when the server refused its credentials,
// so the UI can ask for a new password; it returns err. Every use case
// that reaches an account's server reports its failures here.
func (s *Accounts) NoteFailure(ctx context.Context, id int64, err error) error {
	code := domain.ErrorCode(err)
	if domain.IsRemote(err) && (code == domain.EUNAUTHORIZED || code == domain.EFORBIDDEN) {
		if _, uerr := s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
			recordOutcome(a, err)
			return nil
		}); uerr != nil {
			s.log.WarnContext(ctx, "record account failure", "account", id, "err", uerr)
		}
	}
	return err
}

// RecordSyncStart records the start of a sync run on the account: the
// scheduler counts the interval from it.
func (s *Accounts) RecordSyncStart(ctx context.Context, id int64, at time.Time) error {
	_, err := s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
		a.LastSyncAt = at
		return nil
	})
	return err
}

// RecordSyncOutcome records on the account how its server answered a
// run: fine (nil) or failing with err.
func (s *Accounts) RecordSyncOutcome(ctx context.Context, id int64, err error) error {
	_, uerr := s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
		recordOutcome(a, err)
		return nil
	})
	return uerr
}

// MarkNeedsReview marks the account as waiting for a person, with why.
func (s *Accounts) MarkNeedsReview(ctx context.Context, id int64, why string) error {
	_, err := s.store.UpdateAccount(ctx, id, func(a *domain.Account) error {
		a.Status, a.LastError = domain.StatusNeedsReview, why
		return nil
	})
	return err
}

// RevokeAppPassword revokes the app password in creds on the Nextcloud
// server creds.URL names (found out by discovery first), for a grant no
// account keeps.
func (s *Accounts) RevokeAppPassword(ctx context.Context, creds domain.Credentials) error {
	d, err := s.connector.Discover(ctx, creds)
	if err != nil {
		return err
	}
	creds.URL = d.Endpoint
	st, err := s.connector.Open(creds, domain.TypeNextcloud)
	if err != nil {
		return err
	}
	if r, ok := st.(ports.AppPasswordRevoker); ok {
		_, err = r.RevokeAppPassword(ctx)
	}
	return err
}

func recordOutcome(a *domain.Account, err error) {
	switch {
	case err == nil:
		a.Status, a.LastError = domain.StatusOK, ""
	case domain.ErrorCode(err) == domain.EUNAUTHORIZED:
		a.Status, a.LastError = domain.StatusUnauthorized, domain.ErrorMessage(err)
		a.ErrorCount++
	default:
		a.Status, a.LastError = domain.StatusError, domain.ErrorMessage(err)
		a.ErrorCount++
	}
}

func (s *Accounts) discover(ctx context.Context, a *domain.Account, password string) error {
	d, err := s.discoverRetrying(ctx, s.credentials(*a, password))
	if err != nil {
		return err
	}
	a.Type, a.URL, a.UserID = d.Type, d.Endpoint, d.UserID
	return nil
}

func (s *Accounts) credentials(a domain.Account, password string) domain.Credentials {
	return domain.Credentials{URL: a.URL, Username: a.Username, Password: password, CACert: a.CACert, Timeout: a.Timeout}
}

func (s *Accounts) seal(a *domain.Account, password string) error {
	if password == "" {
		a.Secret = nil
		return nil
	}
	sealed, err := s.box.Seal([]byte(password))
	if err != nil {
		return fmt.Errorf("seal password: %w", err)
	}
	a.Secret = sealed
	return nil
}

func (s *Accounts) password(a domain.Account) (string, error) {
	if !a.HasPassword() {
		return "", nil
	}
	p, err := s.box.Open(a.Secret)
	if err != nil {
		return "", fmt.Errorf("account %d password: %w", a.ID, err)
	}
	return string(p), nil
}

// freeName returns name, or name with " (2)", " (3)", ... when it is
// taken, so that a second account on the same server needs no name.
func (s *Accounts) freeName(ctx context.Context, name string) (string, error) {
	all, err := s.store.Accounts(ctx)
	if err != nil {
		return "", err
	}
	taken := make(map[string]bool, len(all))
	for _, a := range all {
		taken[a.Name] = true
	}
	candidate := name
	for i := 2; taken[candidate]; i++ {
		candidate = fmt.Sprintf("%s (%d)", name, i)
	}
	return candidate, nil
}

func defaultName(user, rawURL string) string {
	if u, err := domain.NormalizeURL(rawURL); err == nil {
		rawURL = u
	}
	h := host(rawURL)
	if h == "" {
		h = rawURL
	}
	if user == "" {
		return h
	}
	return user + "@" + h
}

func host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		if u, err = url.Parse("https://" + rawURL); err != nil {
			return ""
		}
	}
	return u.Host
}
