package infra

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/wire"
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/httpapi"
	awslambda "github.com/photosync/photosync/adapters/lambda"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/webui"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/ports"
)

// LambdaConfig is what the Lambda function adds to Config.
type LambdaConfig struct {
	// Journal is PHOTOSYNC_SQLITE_JOURNAL: delete (the default on Lambda,
	// whose database lives on EFS, where WAL's shared memory does not
	// work) or wal.
	Journal sqlite.Journal
}

// Lambda is the AWS Lambda function: the handler of its events and what
// its start needs.
type Lambda struct {
	Handler *awslambda.Handler
	Auth    *app.Auth
}

// LambdaSQLiteSet provides the stores on a SQLite database opened with the
// journal mode of LambdaConfig. It lists the stores of SQLiteSet.
var LambdaSQLiteSet = wire.NewSet(
	provideLambdaSQLite,
	sqlite.NewAccountStore, wire.Bind(new(ports.AccountStore), new(*sqlite.AccountStore)),
	sqlite.NewSessionStore, wire.Bind(new(ports.SessionStore), new(*sqlite.SessionStore)),
	sqlite.NewSettingStore, wire.Bind(new(ports.SettingStore), new(*sqlite.SettingStore)),
	sqlite.NewJobStore, wire.Bind(new(ports.JobStore), new(*sqlite.JobStore)),
	sqlite.NewLibraryStore, wire.Bind(new(ports.LibraryStore), new(*sqlite.LibraryStore)),
	sqlite.NewUploadStore, wire.Bind(new(ports.UploadStore), new(*sqlite.UploadStore)),
	sqlite.NewSyncStore, wire.Bind(new(ports.SyncStore), new(*sqlite.SyncStore)),
	sqlite.NewLeaseStore, wire.Bind(new(ports.LeaseStore), new(*sqlite.LeaseStore)),
)

// LambdaSet provides the function's handler on the HTTP application of
// ServerSet.
var LambdaSet = wire.NewSet(
	wire.Struct(new(httpapi.Deps), "*"),
	provideVersion,
	webui.Assets,
	httpapi.New,
	provideLambdaHandler,
	wire.Struct(new(Lambda), "*"),
)

func provideLambdaSQLite(ctx context.Context, cfg Config, lc LambdaConfig) (*sqlite.DB, func(), error) {
	db, err := sqlite.OpenJournal(ctx, cfg.DatabasePath(), lc.Journal)
	if err != nil {
		return nil, nil, fmt.Errorf("open database %s: %w", cfg.DatabasePath(), err)
	}
	return db, func() { db.Close() }, nil
}

func provideLambdaHandler(e *echo.Echo, accounts *app.Accounts, syncer *app.Syncer, indexer *app.Indexer, log *slog.Logger) *awslambda.Handler {
	return awslambda.New(awslambda.Deps{HTTP: e, Accounts: accounts, Syncer: syncer, Indexer: indexer, Log: log})
}
