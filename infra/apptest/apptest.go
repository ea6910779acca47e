// Package apptest builds photosync's app for tests in a few lines: the
// stores in memory, a library folder on disk written through the real
// writer and versions area, the real media inspector, checker and
// resizer, a secret box with a fixed key and a memory connector on
// which a test registers its servers. A test changes the ports it needs
// (a SQLite store, a WebDAV connector, a faulty storage) before New.
//
// It lives in infra, the one layer that may import every adapter, so
// that the tests of app (package app_test) and of every inbound adapter
// can use it.
package apptest

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/ports"
)

// Ports returns the ports of a test app on the library folder dir, its
// times from clock. Connector is a *memory.Connector; Thumbnails,
// Watcher, Notifier and LoginFlowClient are nil.
func Ports(t testing.TB, dir string, clock ports.Clock) app.Ports {
	t.Helper()
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return app.Ports{
		Accounts: memory.NewAccountStore(clock), Sessions: memory.NewSessionStore(), Settings: memory.NewSettingStore(),
		Jobs: memory.NewJobStore(clock), Library: memory.NewLibraryStore(), Uploads: memory.NewUploadStore(),
		Sync: memory.NewSyncStore(), Leases: memory.NewLeaseStore(), Proofs: memory.NewProofStore(),
		Secrets: box, Connector: memory.NewConnector(),
		Files: localfs.NewLibrary(dir), Writer: localfs.NewWriter(dir), Versions: localfs.NewVersionStore(dir, clock),
		Inspector: media.NewInspector(), Checker: media.NewChecker(), Resizer: media.NewResizer(),
		Clock: clock, Log: slog.New(slog.DiscardHandler),
	}
}

// New builds the app over p with s; its jobs stop when the test ends.
func New(t testing.TB, p app.Ports, s app.Settings) *app.App {
	t.Helper()
	a := app.New(p, s)
	t.Cleanup(a.Close)
	return a
}
