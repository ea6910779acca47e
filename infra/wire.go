//go:build wireinject

package infra

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/photosync/photosync/adapters/cli"
)

// InitializeServer builds `photosync serve`.
func InitializeServer(ctx context.Context, cfg Config, log *slog.Logger) (*Server, func(), error) {
	panic(wire.Build(StoreSet, CoreSet, ServerSet))
}

// InitializeCLI builds the services of the other commands.
func InitializeCLI(ctx context.Context, cfg Config, log *slog.Logger) (*cli.Services, func(), error) {
	panic(wire.Build(StoreSet, CoreSet, CLISet))
}

// InitializeHTTPApp builds the HTTP application on stores opened by the
// caller: the Lambda function's composition root (infra/lambdafn) uses it.
func InitializeHTTPApp(ctx context.Context, cfg Config, stores Stores, log *slog.Logger) (*HTTPApp, func(), error) {
	panic(wire.Build(StoreFields, CoreSet, HTTPSet, wire.Struct(new(HTTPApp), "*")))
}
