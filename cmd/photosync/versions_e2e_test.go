package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/domain"
)

// keepVersion writes data at rel in the library lib and keeps it in the
// library's versions area, as a sync does before it replaces a file.
func keepVersion(t *testing.T, lib, rel, data string) domain.Version {
	t.Helper()
	full := filepath.Join(lib, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := localfs.NewVersionStore(lib, system.Clock{}).Keep(context.Background(), rel, 0, "replaced by the server's version")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCLIVersions: `photosync versions` lists the kept versions (as text
// and JSON) and `versions restore ID` puts one back, through run().
func TestCLIVersions(t *testing.T) {
	lib := t.TempDir()
	env := map[string]string{"PHOTOSYNC_DATA": t.TempDir(), "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_KEEP_VERSIONS": "14d"}
	cli := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		return out.String(), err
	}
	out, err := cli("versions")
	if err != nil || !strings.Contains(out, "No kept versions") || !strings.Contains(out, "14 days") {
		t.Fatalf("versions with none: %v %q", err, out)
	}
	old := keepVersion(t, lib, "2024/IMG_1.jpg", "the old photo")
	other := keepVersion(t, lib, "2024/IMG_2.jpg", "another")
	if out, err = cli("versions", "list"); err != nil || !strings.Contains(out, old.ID) || !strings.Contains(out, "2024/IMG_1.jpg") || !strings.Contains(out, "replaced by the server's version") {
		t.Fatalf("versions list: %v\n%s", err, out)
	}
	var list []struct {
		ID, Path, SHA1 string
		Size           int64
	}
	if out, err = cli("versions", "--json"); err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 ||
		list[0].ID != other.ID || list[1].ID != old.ID || list[1].SHA1 != old.SHA1 || list[1].Size != int64(len("the old photo")) {
		t.Fatalf("versions --json: %v\n%s", err, out)
	}
	// The library has a newer IMG_1.jpg: the old one goes beside it.
	if err := os.WriteFile(filepath.Join(lib, "2024", "IMG_1.jpg"), []byte("newer"), 0o644); err != nil {
		t.Fatal(err)
	}
	var restored struct{ ID, Path string }
	if out, err = cli("versions", "restore", old.ID, "--json"); err != nil || json.Unmarshal([]byte(out), &restored) != nil ||
		!strings.HasPrefix(restored.Path, "2024/IMG_1 (restored ") {
		t.Fatalf("versions restore --json: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(lib, filepath.FromSlash(restored.Path))); string(b) != "the old photo" {
		t.Errorf("%s holds %q", restored.Path, b)
	}
	if out, err = cli("versions", "restore", other.ID); err != nil || !strings.Contains(out, "to 2024/IMG_2.jpg") {
		t.Fatalf("versions restore: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(lib, "2024", "IMG_2.jpg")); string(b) != "another" {
		t.Errorf("IMG_2.jpg holds %q", b)
	}
	_, err = cli("versions", "restore", other.ID)
	if exitCode(err) != 1 || !strings.Contains(describe(err), "not found") {
		t.Errorf("restore of a restored version: exit %d, %q", exitCode(err), describe(err))
	}
	for _, args := range [][]string{{"versions", "restore"}, {"versions", "bogus"}, {"versions", "restore", "a", "b"}} {
		if _, err := cli(args...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d (%v), want 2", args, exitCode(err), err)
		}
	}
}
