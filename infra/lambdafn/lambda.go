// Package lambdafn is the composition root of photosync's AWS Lambda
// function (cmd/photosync-lambda): the Lambda runtime, the event handler
// and the SQS fan-out on the HTTP application infra builds. Only the
// function imports it, so the self-hosted binary links neither the AWS SDK
// nor aws-lambda-go.
package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/infra"
)

// LoadLambdaConfig reads the configuration of the Lambda function from its
// environment: the variables of `photosync serve`, with JSON logs for
// CloudWatch unless PHOTOSYNC_LOG_FORMAT says otherwise, and the SQLite
// journal mode for EFS. The admin password and the secret key must come
// from the environment: the function cannot show a generated password to
// anyone, and a key file on EFS would sit next to the passwords it seals.
// PHOTOSYNC_SYNC_QUEUE_URL, when set, turns on the fan-out through SQS.
func LoadLambdaConfig(getenv func(string) string) (infra.Config, LambdaConfig, error) {
	cfg := infra.LoadConfig(getenv)
	if getenv("PHOTOSYNC_LOG_FORMAT") == "" {
		cfg.LogFormat = "json"
	}
	var missing []error
	for _, v := range []struct{ env, val string }{
		{"PHOTOSYNC_ADMIN_PASSWORD", cfg.AdminPassword},
		{"PHOTOSYNC_SECRET_KEY", cfg.SecretKey},
	} {
		if v.val == "" {
			missing = append(missing, fmt.Errorf("%s must be set on Lambda", v.env))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return cfg, LambdaConfig{}, err
	}
	j := getenv("PHOTOSYNC_SQLITE_JOURNAL")
	if j == "" {
		j = string(sqlite.JournalDelete)
	}
	journal, err := sqlite.ParseJournal(j)
	if err != nil {
		return cfg, LambdaConfig{}, fmt.Errorf("PHOTOSYNC_SQLITE_JOURNAL: %q is not delete or wal", j)
	}
	queue := strings.TrimSpace(getenv("PHOTOSYNC_SYNC_QUEUE_URL"))
	if u, err := url.Parse(queue); queue != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") == "") {
		return cfg, LambdaConfig{}, fmt.Errorf("PHOTOSYNC_SYNC_QUEUE_URL: %q is not a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/photosync-sync", queue)
	}
	return cfg, LambdaConfig{Journal: journal, SyncQueueURL: queue}, cfg.Validate()
}

// RunLambda is the main of the Lambda function's bootstrap: it builds the
// function and hands its handler to the Lambda runtime, which calls it
// for every event and does not return. The error is why the function could
// not start.
func RunLambda(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, lc, err := LoadLambdaConfig(getenv)
	if err != nil {
		return err
	}
	log := infra.NewLogger(stderr, cfg)
	fn, cleanup, err := InitializeLambda(ctx, cfg, lc, log)
	if err != nil {
		return err
	}
	if _, err := fn.Auth.EnsureAdminPassword(ctx); err != nil {
		cleanup()
		return err
	}
	if err := os.MkdirAll(cfg.Library, 0o755); err != nil {
		cleanup()
		return fmt.Errorf("library folder: %w", err)
	}
	log.Info("lambda function ready", "version", infra.BuildVersion(), "data", cfg.DataDir, "library", cfg.Library, "journal", lc.Journal, "fan_out", lc.SyncQueueURL != "")
	// On SIGTERM (the sandbox shuts down) close the database cleanly.
	lambda.StartWithOptions(fn.Handler.Handle, lambda.WithContext(ctx), lambda.WithEnableSIGTERM(cleanup))
	cleanup()
	return errors.New("the Lambda runtime stopped")
}
