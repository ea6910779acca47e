package lambdafn

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/photosync/photosync/adapters/sqs"
	"github.com/photosync/photosync/ports"
)

// provideSyncQueue returns the SQS queue at PHOTOSYNC_SYNC_QUEUE_URL, to
// which a scheduled invocation sends the due syncs (app.FanOut), or nil
// without one: the function then runs the due syncs within its scheduled
// invocations, as before. The AWS configuration comes from the
// function's environment (its role's credentials, AWS_REGION); the SDK's
// own AWS_ENDPOINT_URL_SQS points it at another SQS-compatible server, as
// the tests do.
func provideSyncQueue(ctx context.Context, lc LambdaConfig) (ports.SyncQueue, error) {
	if lc.SyncQueueURL == "" {
		return nil, nil
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration for the sync queue: %w", err)
	}
	return sqs.NewSyncQueue(awssqs.NewFromConfig(awsCfg), lc.SyncQueueURL), nil
}
