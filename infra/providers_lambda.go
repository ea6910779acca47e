package infra

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/wire"
	"github.com/labstack/echo/v4"

	awslambda "github.com/photosync/photosync/adapters/lambda"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/app"
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
// journal mode of LambdaConfig.
var LambdaSQLiteSet = wire.NewSet(provideLambdaSQLite, SQLiteStoreSet)

// LambdaSet provides the function's handler on the HTTP application of
// ServerSet.
var LambdaSet = wire.NewSet(
	HTTPSet,
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

func provideLambdaHandler(e *echo.Echo, syncer *app.Syncer, scheduler *app.Scheduler, indexer *app.Indexer, log *slog.Logger) *awslambda.Handler {
	return awslambda.New(awslambda.Deps{HTTP: e, Syncer: syncer, Scheduler: scheduler, Indexer: indexer, Log: log})
}
