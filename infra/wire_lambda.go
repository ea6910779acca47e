//go:build wireinject

package infra

import (
	"context"
	"log/slog"

	"github.com/google/wire"
)

// InitializeLambda builds the AWS Lambda function.
func InitializeLambda(ctx context.Context, cfg Config, lc LambdaConfig, log *slog.Logger) (*Lambda, func(), error) {
	panic(wire.Build(LambdaStoreSet, CoreSet, LambdaSet))
}
