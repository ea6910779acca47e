package secrets_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestBoxContract(t *testing.T) {
	porttest.TestSecretBox(t, func(t *testing.T, b byte) ports.SecretBox {
		box, err := secrets.NewBox(bytes.Repeat([]byte{b}, secrets.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		return box
	})
}

func TestNewBoxRejectsShortKey(t *testing.T) {
	if _, err := secrets.NewBox(make([]byte, 16)); err == nil {
		t.Fatal("NewBox accepted a 16-byte key")
	}
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{
		strings.Repeat("ab", 32),
		base64.StdEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw) + "\n",
	} {
		k, err := secrets.ParseKey(s)
		if err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKey(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "short", strings.Repeat("ab", 16), "correct horse battery staple"} {
		if _, err := secrets.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", s)
		}
	}
}

func TestKeyFileCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", secrets.KeyFileName)
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = secrets.LoadOrCreateKeyFile(path)
		}()
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatal("concurrent first starts made different keys")
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	again, err := secrets.LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("reload: %x, %v", again, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("data folder has %d entries, want only the key file", len(entries))
	}
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), secrets.KeyFileName)
	if _, err := secrets.LoadOrCreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := secrets.LoadOrCreateKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v, want a refusal that says chmod 600", err)
	}
}

// TestWrongKeyNamed: a secret sealed with one key and opened with another
// valid key fails with EINVALID and a message that names the key's
// source and says it is not the one the passwords were encrypted with;
// no garbage comes out.
func TestWrongKeyNamed(t *testing.T) {
	a, _ := secrets.NewBoxFrom(bytes.Repeat([]byte{1}, 32), secrets.SourceKeyFile("/data/secret.key"))
	sealed, err := a.Seal([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	for source, want := range map[string]string{
		secrets.SourceEnv: "cannot be decrypted with this PHOTOSYNC_SECRET_KEY: it is not the key they were encrypted with",
		"":                "cannot be decrypted with this secret key (PHOTOSYNC_SECRET_KEY, or the key file secret.key",
	} {
		b, _ := secrets.NewBoxFrom(bytes.Repeat([]byte{2}, 32), source)
		plain, err := b.Open(sealed)
		if plain != nil || domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("source %q: %q, %v; want EINVALID saying %q", source, plain, err, want)
		}
		if strings.Contains(domain.ErrorMessage(err), "hunter2") {
			t.Error("the message shows the secret")
		}
	}
	if plain, err := a.Open(sealed); err != nil || string(plain) != "hunter2" {
		t.Fatalf("the right key: %q, %v", plain, err)
	}
}
