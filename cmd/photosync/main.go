// Command photosync backs up and synchronises a photo library with
// Nextcloud and WebDAV servers: a web UI, a JSON API, a scheduler and a
// command line in one binary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/photosync/photosync/infra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	endProfile, err := startProfile(os.Getenv)
	if err == nil {
		err = run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		endProfile()
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "photosync:", describe(err))
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return infra.Run(ctx, args, getenv, stdin, stdout, stderr)
}

// describe and exitCode are what main does with an error; tests use them.
func describe(err error) string { return infra.Describe(err) }
func exitCode(err error) int    { return infra.ExitCode(err) }
