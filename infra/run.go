package infra

import (
	"context"
	"io"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/app"
)

// Run runs photosync with the given command line (args[0] is the program
// name) and environment. It is main without the process: tests call it.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := LoadConfig(getenv)
	c := &cli.CLI{
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv, Version: version(),
		Open: func(ctx context.Context) (*app.App, func(), error) {
			if err := cfg.validate(); err != nil {
				return nil, nil, cli.Usagef("%v", err)
			}
			// Commands print their own results; their logs only speak up
			// for warnings unless a level is asked for.
			logCfg := cfg
			if getenv("PHOTOSYNC_LOG_LEVEL") == "" {
				logCfg.LogLevel = "warn"
			}
			return InitializeCLI(ctx, cfg, NewLogger(stderr, logCfg))
		},
		Serve: func(ctx context.Context, args []string) error {
			return serve(ctx, cfg, args, stdout, stderr)
		},
		MigrateStore: func(ctx context.Context, url string, replace bool) ([]cli.TableCount, error) {
			return migrateStore(ctx, cfg, url, replace)
		},
	}
	if len(args) > 0 {
		args = args[1:]
	}
	return c.Run(ctx, args)
}

// ExitCode is the process exit code for an error returned by Run.
func ExitCode(err error) int { return cli.ExitCode(err) }

// Describe is the line to print for an error returned by Run.
func Describe(err error) string { return cli.Describe(err) }
