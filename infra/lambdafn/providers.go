package lambdafn

import (
	"context"

	"github.com/google/wire"
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/awslambda"
	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/infra"
	"github.com/photosync/photosync/ports"
)

// LambdaConfig is what the Lambda function adds to infra.Config.
type LambdaConfig struct {
	// Journal is PHOTOSYNC_SQLITE_JOURNAL: delete (the default on Lambda,
	// whose database lives on EFS, where WAL's shared memory does not
	// work) or wal. Unused with PHOTOSYNC_DATABASE_URL.
	Journal sqlite.Journal
	// SyncQueueURL is PHOTOSYNC_SYNC_QUEUE_URL: the SQS queue a scheduled
	// invocation sends the due syncs to, one message per account, and
	// whose messages the function runs. Empty: scheduled invocations run
	// the due syncs themselves.
	SyncQueueURL string
}

// Lambda is the AWS Lambda function: the handler of its events and what
// its start needs.
type Lambda struct {
	Handler *awslambda.Handler
	Auth    *app.Auth
}

// LambdaSet is the function's provider set: its stores, the HTTP
// application of `photosync serve` on them (with its app), the sync
// queue of the fan-out and the handler.
var LambdaSet = wire.NewSet(
	provideLambdaStores,
	infra.InitializeHTTPApp,
	wire.FieldsOf(new(*infra.HTTPApp), "Handler", "App"),
	wire.FieldsOf(new(*app.App), "Auth"),
	provideSyncQueue,
	provideLambdaHandler,
	wire.Struct(new(Lambda), "*"),
)

// lambdaMaxConns bounds the connections of one Lambda instance: many run
// at once, each handling one event at a time.
const lambdaMaxConns = 2

// provideLambdaStores opens the function's database: PostgreSQL when
// PHOTOSYNC_DATABASE_URL is set, else SQLite on EFS with LambdaConfig's
// journal mode.
func provideLambdaStores(ctx context.Context, cfg infra.Config, lc LambdaConfig) (infra.Stores, func(), error) {
	if cfg.DatabaseURL != "" {
		return infra.PostgresStores(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: lambdaMaxConns})
	}
	return infra.SQLiteStores(ctx, cfg.DatabasePath(), lc.Journal)
}

func provideLambdaHandler(a *app.App, e *echo.Echo, queue ports.SyncQueue) *awslambda.Handler {
	return awslambda.New(a, awslambda.Settings{HTTP: e, Queue: queue})
}
