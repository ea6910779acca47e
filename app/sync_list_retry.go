package app

import (
	"context"
	"log/slog"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// retryingLister tries the requests of a run's preparation (the sync
// folder's creation, and every Stat and List of the walk) again while the
// server is busy or the connection breaks, as transfers are: a walk stops
// at its first failed folder, so without this one 503 among a few hundred
// folders would fail the whole run, and a flaky server would never be
// synced. Only the walk and the folder's creation go through it; the
// transfers have their own retries and use the storage's optional
// capabilities, which this wrapper hides.
type retryingLister struct {
	ports.RemoteStorage
	retry retryPolicy
	log   *slog.Logger
}

func (r retryingLister) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	var f domain.RemoteFile
	err := r.retry.do(ctx, r.log, "stat "+p, func(ctx context.Context) error {
		var err error
		f, err = r.RemoteStorage.Stat(ctx, p)
		return err
	})
	return f, err
}

func (r retryingLister) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	var files []domain.RemoteFile
	err := r.retry.do(ctx, r.log, "list "+dir, func(ctx context.Context) error {
		var err error
		files, err = r.RemoteStorage.List(ctx, dir)
		return err
	})
	return files, err
}

func (r retryingLister) MkdirAll(ctx context.Context, dir string) error {
	return r.retry.do(ctx, r.log, "create "+dir, func(ctx context.Context) error {
		return r.RemoteStorage.MkdirAll(ctx, dir)
	})
}
