//go:build !wasm

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/notify"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// failingProxy passes requests to target, or answers 503 while down is set.
func failingProxy(t *testing.T, target string, down *atomic.Bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + u.Path
}

// webhook records the alerts POSTed to it.
type webhook struct {
	mu     sync.Mutex
	alerts []domain.Alert
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a domain.Alert
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&a) != nil {
		http.Error(w, "bad alert", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.alerts = append(h.alerts, a)
	h.mu.Unlock()
}

func (h *webhook) got() []domain.Alert {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]domain.Alert(nil), h.alerts...)
}

// A sync that keeps failing sends exactly one alert to a webhook, and one
// when it works again; targets are stored sealed and shown redacted.
func TestAlertsOncePerIncident(t *testing.T) {
	hook := &webhook{}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	dav := davtest.StartRclone(t)
	var down atomic.Bool
	srv := *dav
	srv.URL = failingProxy(t, dav.URL, &down)
	lib := t.TempDir()
	writeLib(t, lib, "2024/a.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: 1}), time.Now().Add(-time.Hour))
	w := newProofWorld(t, lib, &srv)

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	settings := sqlite.NewSettingStore(db)
	al := app.NewAlerter(w.accts, w.syncStore, w.backup, settings, box, notify.New(), system.Clock{}, slog.New(slog.DiscardHandler), nil)
	secret := hookSrv.URL + "/hook?token=s3cret-token"
	if err := al.AddTarget(ctx, secret); err != nil {
		t.Fatalf("AddTarget: %v", err)
	}
	if err := al.AddTarget(ctx, "nosuchservice://x"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("AddTarget of an unknown service: %v, want EINVALID", err)
	}
	stored, _ := settings.Setting(ctx, "notify.targets")
	if strings.Contains(stored, "s3cret") || strings.Contains(stored, "hook") {
		t.Errorf("the target is stored in the clear: %q", stored)
	}
	shown, err := al.Targets(ctx)
	if err != nil || len(shown) != 1 || strings.Contains(shown[0].Shown, "s3cret") || !strings.HasPrefix(shown[0].Shown, "http://127.0.0.1:") {
		t.Errorf("Targets = %+v, %v", shown, err)
	}

	check := func() []domain.Alert {
		t.Helper()
		sent, err := al.Check(ctx)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		return sent
	}
	w.sync(t)
	if sent := check(); len(sent) != 0 {
		t.Fatalf("alerts after a good sync: %+v", sent)
	}
	down.Store(true)
	for range 3 {
		if _, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true)); err == nil {
			t.Fatal("a sync through the failing proxy succeeded")
		}
		check()
	}
	got := hook.got()
	if len(got) != 1 || got[0].Event != string(domain.AlertSyncFailed) || got[0].AccountID != w.account.ID || got[0].Account != w.account.Name ||
		got[0].Summary == "" || got[0].Details == "" || got[0].At.IsZero() {
		t.Fatalf("while the sync keeps failing the webhook got %+v, want one sync_failed alert", got)
	}
	down.Store(false)
	w.sync(t)
	check()
	check()
	got = hook.got()
	if len(got) != 2 || got[1].Event != domain.AlertResolved || got[1].Kind != domain.AlertSyncFailed {
		t.Fatalf("after the sync works again the webhook got %+v, want the alert and one resolved", got)
	}
	if n, failed, err := al.Test(ctx); err != nil || n != 1 || len(failed) != 0 || hook.got()[2].Event != domain.AlertTest {
		t.Errorf("Test = %d, %v, %v", n, failed, err)
	}
}
