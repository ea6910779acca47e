package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

func newAuth(configured string) (*app.Auth, *memory.SettingStore, *memory.Clock) {
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	settings := memory.NewSettingStore()
	return app.NewAuth(memory.NewSessionStore(), settings, clock, slog.New(slog.NewTextHandler(io.Discard, nil)), app.AdminPassword(configured)), settings, clock
}

func TestGeneratedAdminPasswordOnlyOnce(t *testing.T) {
	ctx := context.Background()
	auth, settings, _ := newAuth("")
	pw, err := auth.EnsureAdminPassword(ctx)
	if err != nil || len(pw) < 20 {
		t.Fatalf("generated %q, %v", pw, err)
	}
	stored, _ := settings.Setting(ctx, "admin_password_hash")
	if strings.Contains(stored, pw) {
		t.Fatal("the generated password is stored in clear")
	}
	again, err := auth.EnsureAdminPassword(ctx)
	if err != nil || again != "" {
		t.Fatalf("second start generated %q, %v", again, err)
	}
	if _, _, err := auth.Login(ctx, "10.0.0.1", pw); err != nil {
		t.Fatalf("login with generated password: %v", err)
	}
	if _, _, err := auth.Login(ctx, "10.0.0.1", pw+"x"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	auth, _, clock := newAuth("s3cret-admin")
	if pw, _ := auth.EnsureAdminPassword(ctx); pw != "" {
		t.Fatal("generated a password although one is configured")
	}
	token, exp, err := auth.Login(ctx, "10.0.0.1", "s3cret-admin")
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(clock.Now().Add(domain.SessionTTL)) {
		t.Fatalf("expiry %v", exp)
	}
	if err := auth.Authenticate(ctx, token); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "x", token + "x"} {
		if err := auth.Authenticate(ctx, bad); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("Authenticate(%q) = %v", bad, err)
		}
	}
	clock.Advance(domain.SessionTTL)
	if err := auth.Authenticate(ctx, token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("expired session accepted: %v", err)
	}
	token, _, _ = auth.Login(ctx, "10.0.0.1", "s3cret-admin")
	if err := auth.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := auth.Authenticate(ctx, token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("session survived logout: %v", err)
	}
}

// TestLoginThrottledPerClient: five wrong passwords from one address lock
// out that address only, with the wait the error carries, until the
// oldest failure leaves the minute.
func TestLoginThrottledPerClient(t *testing.T) {
	ctx := context.Background()
	auth, _, clock := newAuth("right")
	for i := range 5 {
		if _, _, err := auth.Login(ctx, "10.0.0.66", "wrong"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatal(err)
		}
		if i == 0 {
			clock.Advance(10 * time.Second)
		}
	}
	_, _, err := auth.Login(ctx, "10.0.0.66", "right")
	var tm *app.TooManyAttempts
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !errors.As(err, &tm) || tm.Wait != 50*time.Second {
		t.Fatalf("6th attempt: %v (%+v), want EUNAVAILABLE with a 50 s wait", err, tm)
	}
	if !strings.Contains(domain.ErrorMessage(err), "50 seconds") {
		t.Fatalf("message %q does not say how long to wait", domain.ErrorMessage(err))
	}
	if got := domain.RetryAfter(err); got != 50*time.Second {
		t.Fatalf("RetryAfter = %v", got)
	}
	if _, _, err := auth.Login(ctx, "10.0.0.2", "right"); err != nil {
		t.Fatalf("another address is locked out too: %v", err)
	}
	clock.Advance(50 * time.Second)
	if _, _, err := auth.Login(ctx, "10.0.0.66", "right"); err != nil {
		t.Fatalf("after the oldest failure left the window: %v", err)
	}
}

// TestLoginThrottledGlobally: wrong passwords from many addresses stop
// every sign-in after fifty in a minute.
func TestLoginThrottledGlobally(t *testing.T) {
	ctx := context.Background()
	auth, _, clock := newAuth("right")
	for i := range 50 {
		if _, _, err := auth.Login(ctx, fmt.Sprintf("10.0.%d.%d", i/4, i%4), "wrong"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, _, err := auth.Login(ctx, "192.168.1.1", "right"); domain.ErrorCode(err) != domain.EUNAVAILABLE || domain.RetryAfter(err) != time.Minute {
		t.Fatalf("51st attempt from a fresh address: %v (wait %v), want EUNAVAILABLE for a minute", err, domain.RetryAfter(err))
	}
	clock.Advance(time.Minute)
	if _, _, err := auth.Login(ctx, "192.168.1.1", "right"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
