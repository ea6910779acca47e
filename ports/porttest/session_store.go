package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestSessionStore runs the SessionStore contract. newStore must return a
// new, empty store each time it is called; it is called once per subtest.
//
// A session that expires exactly at now counts as expired, as
// domain.Session.Expired says, so DeleteExpiredSessions removes it.
func TestSessionStore(t *testing.T, newStore func(t *testing.T) ports.SessionStore) {
	// Microseconds, in a zone other than UTC: stores keep the instant.
	now := time.Date(2025, 3, 30, 1, 59, 59, 987654000, time.FixedZone("CET", 60*60))

	t.Run("CreateAndGet", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		want := session("a", now, now.Add(domain.SessionTTL))
		mustCreateSession(t, s, want)
		mustCreateSession(t, s, session("b", now, now.Add(time.Hour)))
		got, err := s.Session(ctx, want.TokenHash)
		if err != nil {
			t.Fatalf("Session: %v", err)
		}
		checkSession(t, got, want)
	})

	t.Run("Missing", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		mustCreateSession(t, s, session("a", now, now.Add(time.Hour)))
		_, err := s.Session(ctx, hash("b"))
		checkCode(t, "Session", err, domain.ENOTFOUND)
		if err := s.DeleteSession(ctx, hash("b")); err != nil {
			t.Errorf("DeleteSession of a missing session returned %v, want nil", err)
		}
		if _, err := s.Session(ctx, hash("a")); err != nil {
			t.Errorf("Session: %v", err)
		}
	})

	t.Run("DuplicateHash", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		first := session("a", now, now.Add(time.Hour))
		mustCreateSession(t, s, first)
		err := s.CreateSession(ctx, session("a", now.Add(time.Minute), now.Add(2*time.Hour)))
		checkCode(t, "CreateSession with a taken hash", err, domain.ECONFLICT)
		got, err := s.Session(ctx, first.TokenHash)
		if err != nil {
			t.Fatalf("Session: %v", err)
		}
		checkSession(t, got, first)
	})

	t.Run("Delete", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		mustCreateSession(t, s, session("a", now, now.Add(time.Hour)))
		mustCreateSession(t, s, session("b", now, now.Add(time.Hour)))
		if err := s.DeleteSession(ctx, hash("a")); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		_, err := s.Session(ctx, hash("a"))
		checkCode(t, "Session after DeleteSession", err, domain.ENOTFOUND)
		if _, err := s.Session(ctx, hash("b")); err != nil {
			t.Errorf("DeleteSession removed another session: %v", err)
		}
		// The hash can be used again.
		mustCreateSession(t, s, session("a", now, now.Add(time.Hour)))
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		sessions := []struct {
			s    domain.Session
			kept bool
		}{
			{session("long ago", now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)), false},
			{session("a microsecond ago", now.Add(-time.Hour), now.Add(-time.Microsecond)), false},
			{session("exactly now", now.Add(-time.Hour), now), false},
			{session("in a microsecond", now.Add(-time.Hour), now.Add(time.Microsecond)), true},
			{session("next month", now, now.Add(domain.SessionTTL)), true},
		}
		for _, c := range sessions {
			mustCreateSession(t, s, c.s)
		}
		if err := s.DeleteExpiredSessions(ctx, now); err != nil {
			t.Fatalf("DeleteExpiredSessions: %v", err)
		}
		for _, c := range sessions {
			got, err := s.Session(ctx, c.s.TokenHash)
			switch {
			case c.kept && err != nil:
				t.Errorf("session expiring at %v: %v after DeleteExpiredSessions(%v), want it kept", c.s.ExpiresAt, err, now)
			case c.kept:
				checkSession(t, got, c.s)
			case !c.kept:
				checkCode(t, "Session expiring at "+c.s.ExpiresAt.String(), err, domain.ENOTFOUND)
			}
		}
		if err := s.DeleteExpiredSessions(ctx, now); err != nil {
			t.Fatalf("DeleteExpiredSessions with nothing to delete: %v", err)
		}
	})
}

// hash returns a stand-in for the SHA-256 hash of a token: stores treat it as
// an opaque string.
func hash(token string) string { return "sha256:" + token }

func session(token string, created, expires time.Time) domain.Session {
	return domain.Session{TokenHash: hash(token), CreatedAt: created, ExpiresAt: expires}
}

func checkSession(t *testing.T, got, want domain.Session) {
	t.Helper()
	if got.TokenHash != want.TokenHash || !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("Session returned %+v, want %+v", got, want)
	}
}

func mustCreateSession(t *testing.T, s ports.SessionStore, sess domain.Session) {
	t.Helper()
	if err := s.CreateSession(context.Background(), sess); err != nil {
		t.Fatalf("CreateSession(%q): %v", sess.TokenHash, err)
	}
}
