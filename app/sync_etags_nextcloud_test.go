//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestNoChangeSyncOnNextcloud: Nextcloud always propagates folder ETags,
// so from the second run on a sync with nothing changed lists the sync
// folder and skips every unchanged folder below it: at most 3 requests
// whatever the tree's size, without waiting to see a change propagate.
func TestNoChangeSyncOnNextcloud(t *testing.T) {
	ctx := context.Background()
	nc := davtest.StartNextcloud(t)
	for i := range 13 {
		nc.WriteFile(t, fmt.Sprintf("Photos/%02d/sub/p%d.jpg", i, i), mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1)}))
	}
	syncer, a, _ := ncSyncWorld(t, nc)
	run := func() (domain.SyncRun, int) {
		t.Helper()
		mark := len(nc.Requests())
		r, err := syncer.Sync(ctx, a.ID, app.ByHand, nil)
		if err != nil {
			t.Fatalf("Sync: %v", err)
		}
		return r, len(nc.Requests()) - mark
	}
	if r, _ := run(); r.Downloaded != 13 || r.Failed != 0 {
		t.Fatalf("first run: %+v", r)
	}
	for i := 2; i <= 4; i++ {
		r, reqs := run()
		if r.Downloaded != 0 || r.Uploaded != 0 || r.Failed != 0 {
			t.Fatalf("run %d changed something: %+v", i, r)
		}
		if reqs > 3 {
			t.Fatalf("run %d with nothing changed sent %d requests, want at most 3", i, reqs)
		}
	}
}

// ncSyncWorld connects an account to the Nextcloud test server with sync
// on, both ways, to /Photos, and answers the syncer, the account and the
// library folder.
func ncSyncWorld(t *testing.T, nc *davtest.Nextcloud) (*app.Syncer, domain.Account, string) {
	t.Helper()
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	log := slog.New(slog.DiscardHandler)
	accounts := app.NewAccounts(memory.NewAccountStore(clock), box, webdav.NewConnector(log), clock, log)
	a, err := accounts.Connect(ctx, app.AccountInput{
		URL: ptr(nc.BaseURL), Username: ptr(nc.LoginName), Password: ptr(nc.Password),
		SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != domain.TypeNextcloud {
		t.Fatalf("account type %q", a.Type)
	}
	dir := t.TempDir()
	lib := localfs.NewLibrary(dir)
	libStore := memory.NewLibraryStore()
	inspector := media.NewInspector()
	indexer := app.NewIndexer(lib, libStore, inspector, clock, log)
	syncer := app.NewSyncer(app.SyncDeps{Accounts: accounts, Indexer: indexer, Library: libStore, Writer: localfs.NewWriter(dir), Lib: lib,
		Store: memory.NewSyncStore(), Leases: memory.NewLeaseStore(), Inspector: inspector, Checker: media.NewChecker(), Versions: localfs.NewVersionStore(dir, clock),
		Clock: clock, Log: log}, app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond, Parallel: 3})
	return syncer, a, dir
}

// TestSyncNameTooLongForNextcloud: a library file whose name Nextcloud
// cannot store (its part file's name would pass 255 bytes: a 500 every
// time) fails with that cause, and the next runs do not send it again.
func TestSyncNameTooLongForNextcloud(t *testing.T) {
	ctx := context.Background()
	nc := davtest.StartNextcloud(t)
	nc.MkdirAll(t, "Photos")
	syncer, a, dir := ncSyncWorld(t, nc)
	long := strings.Repeat("x", 240) + ".jpg"
	mediatest.WriteFile(t, dir, "2026/"+long, mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1}))
	mediatest.WriteFile(t, dir, "2026/ok.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 2}))
	r, err := syncer.Sync(ctx, a.ID, app.ByHand, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Uploaded != 1 || r.Failed != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "too long") {
		t.Fatalf("first run: %+v", r)
	}
	puts := func() int {
		k := 0
		for _, q := range nc.Requests() {
			if q.Method == http.MethodPut {
				k++
			}
		}
		return k
	}
	if n := puts(); n != 2 {
		t.Fatalf("first run sent %d PUTs, want 2 (the long name once, not again in the run)", n)
	}
	for i := 2; i <= 3; i++ {
		if _, err := syncer.Sync(ctx, a.ID, app.ByHand, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := puts(); n != 2 {
		t.Fatalf("the long name was sent again by later runs: %d PUTs", n)
	}
}

// TestSyncQuotaOfTheSyncFolder: right after the quota shrank, the home
// folder's free space is still Nextcloud's cached one; the sync reads its
// own folder's (current), sends what fits and reports the rest as "no
// space on the server", without a 507.
func TestSyncQuotaOfTheSyncFolder(t *testing.T) {
	ctx := context.Background()
	nc := davtest.StartNextcloud(t, davtest.WithQuota(100<<20))
	nc.MkdirAll(t, "Photos")
	syncer, a, dir := ncSyncWorld(t, nc)
	var sizes []int
	for i, name := range []string{"a", "b", "c"} {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1), Width: 300, Height: 200})
		sizes = append(sizes, len(data))
		mediatest.WriteFile(t, dir, "2026/"+name+".jpg", data)
	}
	// Cache the home folder's answer, with plenty of room.
	if code, _, _ := propfindQuota(t, nc); code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND: %d", code)
	}
	largest := max(sizes[0], sizes[1], sizes[2])
	nc.SetQuota(int64(sizes[0] + sizes[1] + sizes[2] - largest/2)) // all but one fit
	r, err := syncer.Sync(ctx, a.ID, app.ByHand, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Uploaded != 2 || r.Failed != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "no space on the server") {
		t.Fatalf("run: %+v", r)
	}
	for _, q := range nc.Requests() {
		if q.Status == http.StatusInsufficientStorage {
			t.Fatalf("a request was answered 507: %s %s", q.Method, q.Path)
		}
	}
}

// propfindQuota asks the home folder's quota-available-bytes.
func propfindQuota(t *testing.T, nc *davtest.Nextcloud) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", nc.DAVURL, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-available-bytes/></d:prop></d:propfind>`))
	req.Header.Set("Depth", "0")
	req.SetBasicAuth(nc.LoginName, nc.Password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}
