package app

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// adminHashKey is the setting that holds the hash of a generated admin
// password.
const adminHashKey = "admin_password_hash"

// Sign-in throttling. Wrong passwords are counted per client (its IP
// address, as the HTTP adapter sees it) and for the whole process, over a
// sliding window: a client with maxClientFailures failures in the window
// is refused until its oldest one leaves the window, and every client is
// refused while the process has seen maxFailures. The per-client limit
// stops one machine guessing without locking everyone else out; the
// global cap bounds guessing from many addresses at once (and the CPU
// spent on password hashing) at the price of pausing sign-in for at most a
// window. Failures are only recorded while not throttled, so the global
// cap also bounds the number of clients remembered.
const (
	maxClientFailures = 5
	maxFailures       = 50
	failureWindow     = time.Minute
	hashRounds        = 200_000
)

// TooManyAttempts is the cause of the error Login returns while sign-in is
// throttled. RetryDelay is how long the client should wait; the HTTP API
// answers it as 429 with Retry-After.
type TooManyAttempts struct {
	Wait time.Duration
}

func (e *TooManyAttempts) Error() string { return "too many wrong passwords" }

// RetryDelay returns how long to wait before trying again.
func (e *TooManyAttempts) RetryDelay() time.Duration { return e.Wait }

// Auth signs people in with the admin password and checks their sessions.
type Auth struct {
	sessions   ports.SessionStore
	settings   ports.SettingStore
	clock      ports.Clock
	log        *slog.Logger
	configured string // PHOTOSYNC_ADMIN_PASSWORD; empty when generated

	mu       sync.Mutex
	failures []time.Time            // every failure in the window
	clients  map[string][]time.Time // the failures in the window, per client
}

// AdminPassword is the admin password given in the configuration, empty
// when photosync should generate one.
type AdminPassword string

// NewAuth returns the sign-in use cases.
func NewAuth(sessions ports.SessionStore, settings ports.SettingStore, clock ports.Clock, log *slog.Logger, configured AdminPassword) *Auth {
	return &Auth{sessions: sessions, settings: settings, clock: clock, log: log, configured: string(configured)}
}

// EnsureAdminPassword makes sure there is an admin password. When none is
// configured and none was generated before, it generates one, keeps only
// its hash and returns it so the caller can show it once; otherwise it
// returns "".
func (a *Auth) EnsureAdminPassword(ctx context.Context) (string, error) {
	if a.configured != "" {
		return "", nil
	}
	if _, err := a.settings.Setting(ctx, adminHashKey); err == nil {
		return "", nil
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return "", err
	}
	password := newPassword()
	if err := a.settings.SetSetting(ctx, adminHashKey, hashPassword(password)); err != nil {
		return "", err
	}
	return password, nil
}

// Login checks the admin password of a client (its network address, ""
// when unknown) and starts a session, returning its token. EUNAUTHORIZED
// for a wrong password; EUNAVAILABLE, caused by a *TooManyAttempts, after
// too many wrong passwords from this client or from everyone in a short
// time.
func (a *Auth) Login(ctx context.Context, client, password string) (string, time.Time, error) {
	now := a.clock.Now()
	if err := a.throttled(client, now); err != nil {
		a.log.WarnContext(ctx, "sign-in throttled", "client", client)
		return "", time.Time{}, err
	}
	ok, err := a.check(ctx, password)
	if err != nil {
		return "", time.Time{}, err
	}
	if !ok {
		a.fail(client, now)
		a.log.WarnContext(ctx, "sign-in refused: wrong password", "client", client)
		return "", time.Time{}, domain.Errorf(domain.EUNAUTHORIZED, "wrong password")
	}
	token := randomToken()
	s := domain.Session{TokenHash: TokenHash(token), CreatedAt: now, ExpiresAt: now.Add(domain.SessionTTL)}
	if err := a.sessions.CreateSession(ctx, s); err != nil {
		return "", time.Time{}, err
	}
	if err := a.sessions.DeleteExpiredSessions(ctx, now); err != nil {
		a.log.WarnContext(ctx, "delete expired sessions", "err", err)
	}
	return token, s.ExpiresAt, nil
}

// Authenticate checks a session token. EUNAUTHORIZED when it is unknown or
// expired.
func (a *Auth) Authenticate(ctx context.Context, token string) error {
	if token == "" {
		return domain.Errorf(domain.EUNAUTHORIZED, "sign in first")
	}
	s, err := a.sessions.Session(ctx, TokenHash(token))
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && s.Expired(a.clock.Now())) {
		return domain.Errorf(domain.EUNAUTHORIZED, "the session has expired or was ended; sign in again")
	}
	return err
}

// Logout ends a session.
func (a *Auth) Logout(ctx context.Context, token string) error {
	return a.sessions.DeleteSession(ctx, TokenHash(token))
}

func (a *Auth) check(ctx context.Context, password string) (bool, error) {
	if a.configured != "" {
		return subtle.ConstantTimeCompare([]byte(password), []byte(a.configured)) == 1, nil
	}
	stored, err := a.settings.Setting(ctx, adminHashKey)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false, domain.Errorf(domain.EUNAVAILABLE, "no admin password is set yet: start `photosync serve` once or set PHOTOSYNC_ADMIN_PASSWORD")
	}
	if err != nil {
		return false, err
	}
	return verifyPassword(stored, password), nil
}

// throttled forgets the failures that left the window and returns the
// error to answer when client must wait, nil when it may try.
func (a *Auth) throttled(client string, now time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures = recent(a.failures, now)
	for c, fs := range a.clients {
		if fs = recent(fs, now); len(fs) == 0 {
			delete(a.clients, c)
		} else {
			a.clients[c] = fs
		}
	}
	if fs := a.clients[client]; len(fs) >= maxClientFailures {
		wait := fs[len(fs)-maxClientFailures].Add(failureWindow).Sub(now)
		return &domain.Error{Code: domain.EUNAVAILABLE, Err: &TooManyAttempts{Wait: wait},
			Message: fmt.Sprintf("too many wrong passwords from this address; try again in %s", seconds(wait))}
	}
	if len(a.failures) >= maxFailures {
		wait := a.failures[len(a.failures)-maxFailures].Add(failureWindow).Sub(now)
		return &domain.Error{Code: domain.EUNAVAILABLE, Err: &TooManyAttempts{Wait: wait},
			Message: fmt.Sprintf("too many wrong passwords; sign-in is paused, try again in %s", seconds(wait))}
	}
	return nil
}

func (a *Auth) fail(client string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures = append(a.failures, now)
	if a.clients == nil {
		a.clients = map[string][]time.Time{}
	}
	a.clients[client] = append(a.clients[client], now)
}

// recent returns the failures of fs still in the window at now, in the
// same order (oldest first).
func recent(fs []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= failureWindow {
		i++
	}
	return fs[i:]
}

// seconds writes a wait as a whole number of seconds, rounded up.
func seconds(d time.Duration) string {
	n := max(int64((d+time.Second-1)/time.Second), 1)
	if n == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}

// TokenHash is the form in which a session token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newPassword returns a password that is easy to type: four groups of
// five letters and digits without look-alikes, about 100 bits.
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 20)
	rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, password, salt, hashRounds, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", hashRounds,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func verifyPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	rounds, err := strconv.Atoi(parts[1])
	if err != nil || rounds < 1 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, rounds, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
