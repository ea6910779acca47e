package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
)

// versionsAPI is the API with the versions of a library folder kept by
// the real store.
type versionsAPI struct {
	*apiClient
	lib      string
	clock    *memory.Clock
	store    *localfs.VersionStore
	libStore *memory.LibraryStore
}

func newVersionsAPI(t *testing.T) *versionsAPI {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	lib := t.TempDir()
	store := localfs.NewVersionStore(lib, clock)
	libStore := memory.NewLibraryStore()
	p := apptest.Ports(t, lib, clock)
	p.Versions, p.Library, p.Log = store, libStore, log
	ap := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"})
	h := httpapi.New(ap, httpapi.Settings{Version: "test"})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		ap.Close()
		srv.Close()
	})
	a := &versionsAPI{apiClient: &apiClient{t: t, srv: srv, logs: logs}, lib: lib, clock: clock, store: store, libStore: libStore}
	a.login()
	return a
}

// keep writes data at p and keeps it as a version replaced by account 2.
func (a *versionsAPI) keep(p, data string) domain.Version {
	a.t.Helper()
	full := filepath.Join(a.lib, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		a.t.Fatal(err)
	}
	v, err := a.store.Keep(context.Background(), p, 2, "replaced by the server's version")
	if err != nil {
		a.t.Fatal(err)
	}
	return v
}

// indexed reports whether the library index has the file p.
func (a *versionsAPI) indexed(p string) bool {
	a.t.Helper()
	files, err := a.libStore.LibraryFiles(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == p && !f.Missing {
			return true
		}
	}
	return false
}

type versionView struct {
	ID        string    `json:"id"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	SHA1      string    `json:"sha1"`
	ModTime   time.Time `json:"mod_time"`
	KeptAt    time.Time `json:"kept_at"`
	AccountID *int64    `json:"account_id"`
	Reason    string    `json:"reason"`
}

func TestVersionsListAndRestoreOverHTTP(t *testing.T) {
	a := newVersionsAPI(t)
	var list struct {
		Versions    []versionView
		KeepSeconds int64 `json:"keep_seconds"`
	}
	if st, raw := a.do("GET", "/api/v1/versions", "", &list); st != 200 || list.Versions == nil || len(list.Versions) != 0 || list.KeepSeconds != 30*24*3600 {
		t.Fatalf("GET /versions with none: %d %s", st, raw)
	}
	v1 := a.keep("2024/IMG_1.jpg", "first")
	a.clock.Advance(time.Minute)
	v2 := a.keep("2024/IMG_2.jpg", "second")
	if st, raw := a.do("GET", "/api/v1/versions", "", &list); st != 200 || len(list.Versions) != 2 {
		t.Fatalf("GET /versions: %d %s", st, raw)
	}
	got := list.Versions[0]
	if got.ID != v2.ID || got.Path != "2024/IMG_2.jpg" || got.Size != 6 || got.SHA1 != v2.SHA1 || !got.KeptAt.Equal(v2.KeptAt) ||
		!got.ModTime.Equal(v2.ModTime) || got.AccountID == nil || *got.AccountID != 2 || got.Reason != "replaced by the server's version" ||
		list.Versions[1].ID != v1.ID {
		t.Fatalf("GET /versions = %+v, want IMG_2's (%+v) first", list.Versions, v2)
	}

	// Back to its free path; then a second restore is 404.
	var restored struct{ ID, Path string }
	if st, raw := a.do("POST", "/api/v1/versions/"+v1.ID+"/restore", "", &restored); st != 200 || restored.Path != "2024/IMG_1.jpg" || restored.ID != v1.ID {
		t.Fatalf("restore: %d %s", st, raw)
	}
	if b, _ := os.ReadFile(filepath.Join(a.lib, "2024", "IMG_1.jpg")); string(b) != "first" {
		t.Errorf("restored IMG_1.jpg holds %q", b)
	}
	// The restore started an index, which finds the file back.
	if !testkit.Poll(10*time.Second, 5*time.Millisecond, func() bool { return a.indexed("2024/IMG_1.jpg") }) {
		t.Fatal("no index found the restored file")
	}
	var e apiError
	if st, raw := a.do("POST", "/api/v1/versions/"+v1.ID+"/restore", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Errorf("restore again: %d %s, want 404", st, raw)
	}

	// Beside a path that holds other bytes now, with an empty JSON body.
	if err := os.WriteFile(filepath.Join(a.lib, "2024", "IMG_2.jpg"), []byte("newer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, raw := a.do("POST", "/api/v1/versions/"+v2.ID+"/restore", "{}", &restored); st != 200 ||
		!strings.HasPrefix(restored.Path, "2024/IMG_2 (restored ") || !strings.HasSuffix(restored.Path, ").jpg") {
		t.Fatalf("restore beside: %d %s", st, raw)
	}
	if b, _ := os.ReadFile(filepath.Join(a.lib, filepath.FromSlash(restored.Path))); string(b) != "second" {
		t.Errorf("%s holds %q", restored.Path, b)
	}
	if b, _ := os.ReadFile(filepath.Join(a.lib, "2024", "IMG_2.jpg")); string(b) != "newer" {
		t.Errorf("the current IMG_2.jpg was touched: %q", b)
	}
	if st, raw := a.do("GET", "/api/v1/versions", "", &list); st != 200 || len(list.Versions) != 0 {
		t.Errorf("GET /versions after both restores: %d %s", st, raw)
	}
}

// TestVersionRestoreBadInput: an ID that no store makes, and bodies that
// are not an empty object, are 400 EINVALID and restore nothing.
func TestVersionRestoreBadInput(t *testing.T) {
	a := newVersionsAPI(t)
	v := a.keep("IMG_1.jpg", "kept")
	for _, id := range []string{"nope", "..", "%2e%2e%2fIMG_1.jpg", strings.Repeat("a", 300), "20261207T100000000000Z-zzzzzzzzzzzz"} {
		var e apiError
		if st, raw := a.do("POST", "/api/v1/versions/"+id+"/restore", "", &e); st != 400 || e.Error.Code != "EINVALID" {
			t.Errorf("restore %q: %d %.200s, want 400 EINVALID", id, st, raw)
		}
	}
	for _, body := range []string{`{"path":"elsewhere.jpg"}`, `[]`, `{`} {
		var e apiError
		if st, raw := a.do("POST", "/api/v1/versions/"+v.ID+"/restore", body, &e); st != 400 || e.Error.Code != "EINVALID" {
			t.Errorf("restore with body %s: %d %.200s, want 400 EINVALID", body, st, raw)
		}
	}
	var e apiError
	if st, raw := a.do("POST", "/api/v1/versions/20261207T100000000000Z-0123456789ab/restore", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Errorf("restore of an unknown version: %d %s, want 404", st, raw)
	}
	if _, err := os.Stat(filepath.Join(a.lib, "IMG_1.jpg")); !os.IsNotExist(err) {
		t.Errorf("a refused restore put the file back (%v)", err)
	}
	if list, err := a.store.List(context.Background()); err != nil || len(list) != 1 {
		t.Errorf("versions after the refused restores: %+v, %v", list, err)
	}
}
