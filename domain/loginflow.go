package domain

import (
	"log/slog"
	"time"
)

// LoginFlowTTL is how long a Nextcloud Login Flow v2 sign-in may take from
// its start: Nextcloud forgets a flow after 20 minutes, so photosync does
// too.
const LoginFlowTTL = 20 * time.Minute

// LoginFlowState is where a sign-in stands.
type LoginFlowState string

// Login flow states. A flow that expires is forgotten, so it has no state
// of its own: asking for it answers ENOTFOUND.
const (
	LoginPending LoginFlowState = "pending" // waiting for the person to grant access
	LoginDone    LoginFlowState = "done"    // access granted and the account connected
	LoginFailed  LoginFlowState = "failed"  // access granted but the account could not be connected
)

// Secret is a string that must not be shown: printed with fmt, logged with
// log/slog or marshalled as text it reads "[secret]". Reveal returns it.
type Secret string

// Reveal returns the secret itself, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// String hides the secret.
func (s Secret) String() string { return "[secret]" }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return `"[secret]"` }

// LogValue hides the secret from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[secret]") }

// MarshalText hides the secret from encoders (encoding/json included).
func (s Secret) MarshalText() ([]byte, error) { return []byte("[secret]"), nil }

// LoginFlowStart is a Nextcloud server's answer to starting Login Flow v2:
// the page the person opens in a browser to sign in and grant access, and
// where photosync polls with a token to learn when they did.
type LoginFlowStart struct {
	LoginURL     string
	PollEndpoint string
	PollToken    Secret
}

// LoginGrant is what Nextcloud hands over once the person granted access:
// the server to use, the login name (which may differ from the user id)
// and an app password made for photosync. The person's own password never
// reaches photosync.
type LoginGrant struct {
	Server      string
	LoginName   string
	AppPassword Secret
}

// LoginFlow is one sign-in with Nextcloud Login Flow v2, from its start to
// the account it connected. The poll token is a secret: it lives only in
// the memory of the process that started the flow and never leaves it.
type LoginFlow struct {
	ID        string // random, unguessable
	ServerURL string // what the person typed, normalised
	Start     LoginFlowStart

	// Settings for the account to connect.
	Name    string // empty: the default name
	CACert  string
	Timeout time.Duration

	State     LoginFlowState
	Account   Account // the connected account, when State is LoginDone
	Error     error   // why connecting failed, when State is LoginFailed
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NewLoginFlow returns a pending flow started at now, expiring
// LoginFlowTTL later.
func NewLoginFlow(id, serverURL string, start LoginFlowStart, now time.Time) LoginFlow {
	return LoginFlow{
		ID: id, ServerURL: serverURL, Start: start,
		State: LoginPending, CreatedAt: now, ExpiresAt: now.Add(LoginFlowTTL),
	}
}

// Expired reports whether the flow is past its time at now. A flow is
// forgotten when it expires, whatever its state.
func (f *LoginFlow) Expired(now time.Time) bool { return !now.Before(f.ExpiresAt) }

// Public returns the flow without its poll token and endpoint, for
// answers that leave the process.
func (f LoginFlow) Public() LoginFlow {
	f.Start.PollToken = ""
	f.Start.PollEndpoint = ""
	return f
}

// ErrLoginFlowExpired is the error for a flow that is gone: expired, or
// never started here.
func ErrLoginFlowExpired() *Error {
	return Errorf(ENOTFOUND, "the sign-in expired; start again")
}
