package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// quotaStorage is a storage that reports a fixed quota; it does nothing
// else (CheckQuota calls nothing else).
type quotaStorage struct {
	ports.RemoteStorage
	free  int64
	known bool
	err   error
}

func (q quotaStorage) Quota(context.Context) (int64, bool, error) { return q.free, q.known, q.err }

func TestCheckQuota(t *testing.T) {
	unauthorized := domain.RemoteErrorf(domain.EUNAUTHORIZED, "the server rejected the user name or password")
	busy := domain.RemoteErrorf(domain.EUNAVAILABLE, "the server is busy or failing (503 Service Unavailable)")
	for _, tc := range []struct {
		name string
		st   ports.RemoteStorage
		need int64
		code string
		msg  string
	}{
		{"fits", quotaStorage{free: 1000, known: true}, 1000, "", ""},
		{"nothing to send", quotaStorage{free: 0, known: true}, 0, "", ""},
		{"does not fit", quotaStorage{free: 300_000_000, known: true}, 1_234_567_890, domain.EUNAVAILABLE,
			"not enough space on the server: 1.2 GB needed, 300.0 MB free"},
		{"small numbers", quotaStorage{free: 999, known: true}, 1500, domain.EUNAVAILABLE,
			"not enough space on the server: 1.5 kB needed, 999 B free"},
		{"unknown or unlimited", quotaStorage{known: false}, 1 << 40, "", ""},
		{"no quota capability", struct{ ports.RemoteStorage }{}, 1 << 40, "", ""},
		{"credentials refused", quotaStorage{err: unauthorized}, 1, domain.EUNAUTHORIZED, "the server rejected the user name or password"},
		{"server busy: the upload finds out", quotaStorage{err: busy}, 1, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := app.CheckQuota(context.Background(), tc.st, tc.need)
			if domain.ErrorCode(err) != tc.code || (err != nil && domain.ErrorMessage(err) != tc.msg) {
				t.Fatalf("CheckQuota = %v (%s), want %s %q", err, domain.ErrorCode(err), tc.code, tc.msg)
			}
			if err != nil && !domain.IsRemote(err) {
				t.Fatalf("CheckQuota = %v, want a remote error", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := app.CheckQuota(ctx, quotaStorage{err: context.Canceled}, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("CheckQuota with a cancelled context = %v", err)
	}
}
