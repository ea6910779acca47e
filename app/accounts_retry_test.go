package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// breakFirst is middleware that drops the connection of the first n
// requests without an answer, as a proxy or a waking NAS may.
func breakFirst(n int32, broken *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if broken.Add(1) <= n {
				panic(http.ErrAbortHandler) // the connection is closed without an answer
			}
			next.ServeHTTP(w, r)
		})
	}
}

func realAccounts(t *testing.T) *app.Accounts {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	return app.NewAccounts(memory.NewAccountStore(clock), box, webdav.NewConnectorWithOptions(log, webdav.Options{}), clock, log)
}

// TestConnectionTestRetriesABrokenConnection: a connection that breaks off
// once does not fail connecting or testing an account; one that keeps
// breaking is reported after a few tries, with its cause.
func TestConnectionTestRetriesABrokenConnection(t *testing.T) {
	var broken atomic.Int32
	limit := int32(1)
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			breakFirst(atomic.LoadInt32(&limit), &broken)(next).ServeHTTP(w, r)
		})
	}))
	accounts := realAccounts(t)
	ctx := context.Background()
	a, err := accounts.Connect(ctx, app.AccountInput{URL: ptr(nc.BaseURL), Username: ptr(nc.LoginName), Password: ptr(nc.Password)})
	if err != nil || a.Type != domain.TypeNextcloud {
		t.Fatalf("connect through one broken connection: %+v, %v", a, err)
	}
	if broken.Load() < 2 {
		t.Fatalf("the server saw %d requests: the broken one was not followed by another", broken.Load())
	}

	broken.Store(0)
	if a, err = accounts.Test(ctx, a.ID); err != nil || a.Status != domain.StatusOK {
		t.Fatalf("test through one broken connection: %+v, %v", a, err)
	}

	broken.Store(0)
	atomic.StoreInt32(&limit, 1000)
	a, err = accounts.Test(ctx, a.ID)
	if err == nil || domain.ErrorCode(err) != domain.EUNAVAILABLE || a.Status != domain.StatusError {
		t.Fatalf("test of a server that always breaks: %+v, %v", a, err)
	}
	if n := broken.Load(); n < 3 || n > 10 {
		t.Fatalf("a server that always breaks got %d requests, want the test's few tries", n)
	}
	t.Logf("always broken: %v after %d requests", domain.ErrorMessage(err), broken.Load())
}
