package infra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/photosync/photosync/adapters/sqlite"
)

// LoadLambdaConfig reads the configuration of the Lambda function from its
// environment: the variables of `photosync serve`, with JSON logs for
// CloudWatch unless PHOTOSYNC_LOG_FORMAT says otherwise, and the SQLite
// journal mode for EFS. The admin password and the secret key must come
// from the environment: the function cannot show a generated password to
// anyone, and a key file on EFS would sit next to the passwords it seals.
func LoadLambdaConfig(getenv func(string) string) (Config, LambdaConfig, error) {
	cfg := LoadConfig(getenv)
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
	return cfg, LambdaConfig{Journal: journal}, cfg.validate()
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
	log := NewLogger(stderr, cfg)
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
	log.Info("lambda function ready", "version", version(), "data", cfg.DataDir, "library", cfg.Library, "journal", lc.Journal)
	// On SIGTERM (the sandbox shuts down) close the database cleanly.
	lambda.StartWithOptions(fn.Handler.Handle, lambda.WithContext(ctx), lambda.WithEnableSIGTERM(cleanup))
	cleanup()
	return errors.New("the Lambda runtime stopped")
}
