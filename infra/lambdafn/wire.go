//go:build wireinject

package lambdafn

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/photosync/photosync/infra"
)

// InitializeLambda builds the AWS Lambda function.
func InitializeLambda(ctx context.Context, cfg infra.Config, lc LambdaConfig, log *slog.Logger) (*Lambda, func(), error) {
	panic(wire.Build(LambdaSet))
}
