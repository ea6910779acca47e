//go:build wireinject

package infra

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/photosync/photosync/app"
)

// InitializeServer builds `photosync serve`.
func InitializeServer(ctx context.Context, cfg Config, log *slog.Logger) (*Server, func(), error) {
	panic(wire.Build(ServerSet))
}

// InitializeCLI builds the app of the other commands.
func InitializeCLI(ctx context.Context, cfg Config, log *slog.Logger) (*app.App, func(), error) {
	panic(wire.Build(CLISet))
}

// InitializeHTTPApp builds the HTTP application on stores opened by the
// caller: the Lambda function's composition root (infra/lambdafn) uses it.
func InitializeHTTPApp(ctx context.Context, cfg Config, stores Stores, log *slog.Logger) (*HTTPApp, func(), error) {
	panic(wire.Build(HTTPAppSet))
}
