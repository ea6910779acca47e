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

// Sign-in throttling: after maxFailures wrong passwords within
// failureWindow, sign-in is refused until the window has passed.
const (
	maxFailures   = 10
	failureWindow = time.Minute
	hashRounds    = 200_000
)

// Auth signs people in with the admin password and checks their sessions.
type Auth struct {
	sessions   ports.SessionStore
	settings   ports.SettingStore
	clock      ports.Clock
	log        *slog.Logger
	configured string // PHOTOSYNC_ADMIN_PASSWORD; empty when generated

	mu       sync.Mutex
	failures []time.Time
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

// Login checks the admin password and starts a session, returning its
// token. EUNAUTHORIZED for a wrong password; EUNAVAILABLE after too many
// wrong passwords in a short time.
func (a *Auth) Login(ctx context.Context, password string) (string, time.Time, error) {
	now := a.clock.Now()
	if a.throttled(now) {
		return "", time.Time{}, domain.Errorf(domain.EUNAVAILABLE, "too many wrong passwords; try again in a minute")
	}
	ok, err := a.check(ctx, password)
	if err != nil {
		return "", time.Time{}, err
	}
	if !ok {
		a.fail(now)
		a.log.WarnContext(ctx, "sign-in refused: wrong password")
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

func (a *Auth) throttled(now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	recent := a.failures[:0]
	for _, f := range a.failures {
		if now.Sub(f) < failureWindow {
			recent = append(recent, f)
		}
	}
	a.failures = recent
	return len(recent) >= maxFailures
}

func (a *Auth) fail(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures = append(a.failures, now)
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
