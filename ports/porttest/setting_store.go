package porttest

import (
	"context"
	"testing"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestSettingStore runs the SettingStore contract. newStore must return a
// new, empty store each time it is called; it is called once per subtest.
func TestSettingStore(t *testing.T, newStore func(t *testing.T) ports.SettingStore) {
	t.Run("Missing", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		_, err := s.Setting(ctx, "admin_password_hash")
		checkCode(t, "Setting never set", err, domain.ENOTFOUND)
	})

	t.Run("SetAndReplace", func(t *testing.T) {
		s, ctx := newStore(t), context.Background()
		const long = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\n\tand ünïcödé"
		mustSetSetting(t, s, "admin_password_hash", "first")
		mustSetSetting(t, s, "other", "kept")
		checkSetting(t, s, "admin_password_hash", "first")

		mustSetSetting(t, s, "admin_password_hash", long)
		checkSetting(t, s, "admin_password_hash", long)
		checkSetting(t, s, "other", "kept")

		// An empty value is a value, not a missing setting.
		mustSetSetting(t, s, "other", "")
		checkSetting(t, s, "other", "")

		// Keys are compared exactly.
		_, err := s.Setting(ctx, "Other")
		checkCode(t, "Setting with a key differing in case", err, domain.ENOTFOUND)
	})
}

func mustSetSetting(t *testing.T, s ports.SettingStore, key, value string) {
	t.Helper()
	if err := s.SetSetting(context.Background(), key, value); err != nil {
		t.Fatalf("SetSetting(%q): %v", key, err)
	}
}

func checkSetting(t *testing.T, s ports.SettingStore, key, want string) {
	t.Helper()
	got, err := s.Setting(context.Background(), key)
	if err != nil {
		t.Fatalf("Setting(%q): %v", key, err)
	}
	if got != want {
		t.Errorf("Setting(%q) = %q, want %q", key, got, want)
	}
}
