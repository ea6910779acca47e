package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// LoginPollInterval is how often `account login` asks whether the person
// has granted access.
const LoginPollInterval = 2 * time.Second

// loginUsage is the synopsis of `account login`.
const loginUsage = "photosync account login URL [--name NAME] [--ca-cert FILE] [--timeout 60s] [--json]"

// accountLogin runs `photosync account login URL`: it starts a Nextcloud
// Login Flow v2 sign-in, prints the address to open in a browser, asks
// every interval whether the person has signed in there and granted
// access, and reports the account connected with the app password
// Nextcloud made. The person's own password never passes through
// photosync. With --json the instructions go to standard error and only
// the account, as JSON, to standard output. It stops when ctx ends
// (Ctrl-C) and when the sign-in expires (after 20 minutes).
func (c *CLI) accountLogin(ctx context.Context, args []string) error {
	interval := c.LoginPoll
	if interval <= 0 {
		interval = LoginPollInterval
	}
	fs := newFlags("account login")
	name := fs.String("name", "", "a name for the account (default LOGIN@HOST)")
	caFile := fs.String("ca-cert", "", "PEM file with the CA certificate(s) to trust for this server")
	timeout := fs.Duration("timeout", domain.DefaultTimeout, "how long to wait for the server to answer")
	asJSON := fs.Bool("json", false, "print the account as JSON (the instructions go to standard error)")
	pos, err := parse(fs, args, 1)
	if h := (*helpShown)(nil); errors.As(err, &h) {
		return err
	} else if err != nil {
		return usagef("%v\nusage: %s", err, loginUsage)
	}
	in := app.LoginFlowInput{URL: pos[0]}
	if *name != "" {
		in.Name = name
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return usagef("--ca-cert: %v", err)
		}
		s := string(pem)
		in.CACert = &s
	}
	in.Timeout = timeout
	return c.withServices(ctx, func(s *app.App) error {
		flows := s.LoginFlows
		f, err := flows.Start(ctx, in)
		if err != nil {
			return err
		}
		talk := c.Stdout
		if *asJSON {
			talk = c.Stderr
		}
		fmt.Fprintf(talk, "Open this address in a browser, sign in to Nextcloud and grant photosync access:\n\n  %s\n\n", f.Start.LoginURL)
		fmt.Fprintf(talk, "Waiting for the sign-in (it expires at %s; Ctrl-C to give up)...\n", f.ExpiresAt.Local().Format(time.TimeOnly))
		f, err = waitForLogin(ctx, flows, f.ID, interval, talk)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.FromAccount(f.Account))
		}
		a := f.Account
		fmt.Fprintf(c.Stdout, "Connected account %d (%s): %s server at %s as %s\n", a.ID, a.Name, a.Type, a.URL, a.Username)
		return nil
	})
}

// waitForLogin polls a flow every interval until it is done, fails or
// expires, or ctx ends. A server that cannot be reached for a moment is
// told about once and polled again.
func waitForLogin(ctx context.Context, flows *app.LoginFlows, id string, interval time.Duration, talk io.Writer) (domain.LoginFlow, error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	warned := false
	for {
		select {
		case <-ctx.Done():
			return domain.LoginFlow{}, fmt.Errorf("waiting for the sign-in: %w", ctx.Err())
		case <-tick.C:
		}
		f, err := flows.Poll(ctx, id)
		switch {
		case ctx.Err() != nil:
			return domain.LoginFlow{}, fmt.Errorf("waiting for the sign-in: %w", ctx.Err())
		case err != nil && domain.ErrorCode(err) == domain.EUNAVAILABLE && f.State == domain.LoginPending:
			if !warned {
				fmt.Fprintf(talk, "Cannot reach the server (%s); still trying...\n", domain.ErrorMessage(err))
				warned = true
			}
		case err != nil:
			return domain.LoginFlow{}, err
		case f.State == domain.LoginDone:
			return f, nil
		}
	}
}
