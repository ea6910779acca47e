//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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

// TestUploadQuotaOfTheFolder: right after the quota shrank, Nextcloud
// still answers the home folder's free space from its 5-minute cache; the
// upload reads the space of its own folder (current), sends the files that
// fit and reports the other as "no space on the server", without sending
// it and without a 507.
func TestUploadQuotaOfTheFolder(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	nc := davtest.StartNextcloud(t, davtest.WithQuota(100<<20), davtest.WithClock(clock))
	nc.MkdirAll(t, "Photos")

	mclock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	log := slog.New(slog.DiscardHandler)
	w := &upWorld{dir: t.TempDir(), clock: mclock, library: memory.NewLibraryStore(), uploads: memory.NewUploadStore()}
	w.accounts = app.NewAccounts(memory.NewAccountStore(mclock), box, webdav.NewConnector(log), mclock, log)
	var err error
	w.account, err = w.accounts.Connect(ctx, app.AccountInput{URL: ptr(nc.BaseURL), Username: ptr(nc.LoginName), Password: ptr(nc.Password)})
	if err != nil {
		t.Fatal(err)
	}
	w.up = app.NewUploader(w.accounts, localfs.NewLibrary(w.dir), w.library, w.uploads, media.NewResizer(), mclock, log)
	w.up.RetryDelay = time.Millisecond

	var photos []domain.Photo
	var sizes []int
	for i, name := range []string{"a", "b", "c"} {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1), Width: 400, Height: 300})
		sizes = append(sizes, len(data))
		photos = append(photos, w.index(t, upFile{"2026/" + name + ".jpg", data}))
	}
	// The home folder's answer is cached now, with plenty of room.
	st, err := w.accounts.Storage(ctx, w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if free, known, err := st.(interface {
		Quota(context.Context) (int64, bool, error)
	}).Quota(ctx); err != nil || !known || free < 1<<20 {
		t.Fatalf("Quota = %d, %v, %v", free, known, err)
	}
	smallest := min(sizes[0], sizes[1], sizes[2])
	largest := max(sizes[0], sizes[1], sizes[2])
	nc.SetQuota(int64(sizes[0] + sizes[1] + sizes[2] - largest + smallest/2)) // all but the largest fit

	j, err := w.run(t, domain.DefaultUploadOptions("/Photos"), photos...)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 2, 0, 1)
	if len(j.Errors) != 1 || !strings.Contains(j.Errors[0].Message, "no space on the server") {
		t.Fatalf("errors %v, want one file refused for lack of space", j.Errors)
	}
	for _, r := range nc.Requests() {
		if r.Status == http.StatusInsufficientStorage {
			t.Fatalf("a request was answered 507: %s %s", r.Method, r.Path)
		}
	}
}
