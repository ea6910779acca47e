package app_test

import (
	"context"
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
	if _, _, err := auth.Login(ctx, pw); err != nil {
		t.Fatalf("login with generated password: %v", err)
	}
	if _, _, err := auth.Login(ctx, pw+"x"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	auth, _, clock := newAuth("s3cret-admin")
	if pw, _ := auth.EnsureAdminPassword(ctx); pw != "" {
		t.Fatal("generated a password although one is configured")
	}
	token, exp, err := auth.Login(ctx, "s3cret-admin")
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
	token, _, _ = auth.Login(ctx, "s3cret-admin")
	if err := auth.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := auth.Authenticate(ctx, token); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("session survived logout: %v", err)
	}
}

func TestLoginThrottled(t *testing.T) {
	ctx := context.Background()
	auth, _, clock := newAuth("right")
	for range 10 {
		if _, _, err := auth.Login(ctx, "wrong"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatal(err)
		}
	}
	if _, _, err := auth.Login(ctx, "right"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("11th attempt: %v, want EUNAVAILABLE", err)
	}
	clock.Advance(time.Minute)
	if _, _, err := auth.Login(ctx, "right"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
