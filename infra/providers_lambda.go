package infra

import (
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

// LambdaSet provides the function's handler on the HTTP application of
// ServerSet.
var LambdaSet = wire.NewSet(
	HTTPSet,
	provideFanOut,
	provideLambdaHandler,
	wire.Struct(new(Lambda), "*"),
)

func provideLambdaHandler(e *echo.Echo, syncer *app.Syncer, scheduler *app.Scheduler, indexer *app.Indexer, fanOut *app.FanOut, log *slog.Logger) *awslambda.Handler {
	return awslambda.New(awslambda.Deps{HTTP: e, Syncer: syncer, Scheduler: scheduler, Indexer: indexer, FanOut: fanOut, Log: log})
}
