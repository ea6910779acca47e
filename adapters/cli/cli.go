// Package cli is photosync's command-line adapter: it parses commands and
// flags, calls the use cases and prints their results for people or, with
// --json, for scripts.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Opener builds the app on first use, so that `photosync version` and
// usage errors touch no database. The returned func releases it.
type Opener func(ctx context.Context) (*app.App, func(), error)

// CLI runs one command line.
type CLI struct {
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Getenv  func(string) string
	Version string
	Open    Opener
	// Serve runs `photosync serve` with its flags; it belongs to the
	// composition root, which owns the configuration.
	Serve func(ctx context.Context, args []string) error
	// MigrateStore runs `photosync migrate-store`; nil where the build
	// has no PostgreSQL.
	MigrateStore StoreMigrator
	// LoginPoll is how often `account login` asks Nextcloud whether the
	// sign-in was granted; 0 means LoginPollInterval.
	LoginPoll time.Duration
}

// UsageError is a command line that cannot be understood; it exits with 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &UsageError{fmt.Sprintf(format, args...)}
}

// ExitCode is the process exit code for err: 0 for nil, 2 for usage
// errors, 1 otherwise.
func ExitCode(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

// Describe returns the line to print for an error: the person-readable
// message for known errors, "internal error: ..." for others (the CLI
// runs on the user's own machine, so the detail helps and leaks nothing).
func Describe(err error) string {
	var u *UsageError
	if errors.As(err, &u) {
		return u.msg + "\nRun 'photosync help' for usage."
	}
	if domain.ErrorCode(err) == domain.EINTERNAL {
		return "internal error: " + err.Error()
	}
	return domain.ErrorMessage(err)
}

const usage = `photosync backs up and synchronises a photo library with Nextcloud and WebDAV servers.

Usage:
  photosync serve [flags]              web UI, API and scheduler (see 'photosync serve -h')
  photosync account add --url URL --user NAME [--password-stdin] [flags]
  photosync account login URL [--name NAME] [--ca-cert FILE] [--timeout 60s]
                                       add a Nextcloud by signing in there (Login Flow v2)
  photosync account list|show ID|edit ID [flags]|remove ID|test ID
  photosync index [--deep]             index the library; --deep re-reads every file and decodes every image
  photosync photos [--q TEXT] [--kind image|raw|video|sidecar] [--offset N] [--count N]
  photosync upload --account ID [--folder PATH] [--size fit_1920] [--no-raw] [--no-video] [--no-sidecars]
                   [--share-link [--share-expires YYYY-MM-DD]] PHOTO...|--all
  photosync sync --account ID|--due [--dry-run] [--confirm]
  photosync sync failed|retry|deleted|restore --account ID [PATH...]
  photosync jobs [--account ID] [--kind K] [--limit N] | jobs show ID
  photosync status [--account ID] [--gaps]   how much of each backup is proven on the server
  photosync verify --account ID [--full] [--repair]
                                       prove the server still holds the backup; repair the gaps
  photosync restore --account ID --path P [--to DIR]
                                       bring a server's folder back into the library, never overwriting
  photosync migrate-store [--to postgres://...] [--force]
                                       copy the SQLite database into PostgreSQL
                                       (default target: $PHOTOSYNC_DATABASE_URL)
  photosync version

Every command takes --json for machine-readable output.
The account password is read from standard input with --password-stdin,
or from the environment variable PHOTOSYNC_ACCOUNT_PASSWORD, or else typed
on the terminal without echo (account edit: with --ask-password); never
from a flag. A share link's password is read from PHOTOSYNC_SHARE_PASSWORD.
'photosync COMMAND --help' shows the flags of a command.

Exit codes: 0 all done; 1 something failed in this run; 2 usage or
configuration error. An upload whose only failures are the library's known
problem files (listed by 'photosync index') exits 0 and says so.
`

// Run runs the command in args (without the program name). Asked for
// help (-h, --help, help) at any level, it prints the usage on standard
// output and returns nil.
func (c *CLI) Run(ctx context.Context, args []string) error {
	err := c.run(ctx, args)
	if h := (*helpShown)(nil); errors.As(err, &h) {
		fmt.Fprint(c.Stdout, h.text)
		return nil
	}
	return err
}

func (c *CLI) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return usagef("no command given")
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 && !isHelp(args[1]) {
			return c.run(ctx, []string{args[1], "--help"})
		}
		fmt.Fprint(c.Stdout, usage)
		return nil
	case "version", "--version":
		return c.version(args[1:])
	case "serve":
		return c.Serve(ctx, args[1:])
	case "account", "accounts":
		return c.account(ctx, args[1:])
	case "index":
		return c.index(ctx, args[1:])
	case "photos", "photo":
		return c.photos(ctx, args[1:])
	case "upload":
		return c.upload(ctx, args[1:])
	case "sync":
		return c.sync(ctx, args[1:])
	case "jobs", "job":
		return c.jobs(ctx, args[1:])
	case "versions":
		return c.versions(ctx, args[1:])
	case "status":
		return c.status(ctx, args[1:])
	case "verify":
		return c.verify(ctx, args[1:])
	case "restore":
		return c.restore(ctx, args[1:])
	case "migrate-store":
		return c.migrateStore(ctx, args[1:])
	}
	return usagef("unknown command %q", args[0])
}

func (c *CLI) version(args []string) error {
	fs := newFlags("version")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.Stdout, map[string]string{"version": c.Version})
	}
	fmt.Fprintf(c.Stdout, "photosync %s\n", c.Version)
	return nil
}

// withServices opens the app, runs fn and releases it.
func (c *CLI) withServices(ctx context.Context, fn func(*app.App) error) error {
	s, release, err := c.Open(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn(s)
}

// readPassword returns the account password: from standard input with
// --password-stdin, else from PHOTOSYNC_ACCOUNT_PASSWORD, else, when ask
// and standard input is a terminal, typed there without echo. It returns
// nil when there is none and none was asked for; an empty password is
// never one.
func (c *CLI) readPassword(fromStdin, ask bool, who string) (*string, error) {
	if fromStdin {
		data, err := io.ReadAll(io.LimitReader(c.Stdin, 4096))
		if err != nil {
			return nil, fmt.Errorf("read password from standard input: %w", err)
		}
		p := strings.TrimRight(string(data), "\r\n")
		if p == "" {
			return nil, usagef("--password-stdin: standard input was empty")
		}
		return &p, nil
	}
	if p := c.Getenv("PHOTOSYNC_ACCOUNT_PASSWORD"); p != "" {
		return &p, nil
	}
	if !ask {
		return nil, nil
	}
	f, ok := c.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, usagef("no password: standard input is not a terminal to type it on; give it with --password-stdin (e.g. printf '%%s' \"$PASSWORD\" | photosync account ... --password-stdin) or PHOTOSYNC_ACCOUNT_PASSWORD")
	}
	fmt.Fprintf(c.Stderr, "Password for %s: ", who)
	data, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.Stderr)
	if err != nil {
		return nil, fmt.Errorf("read password from the terminal: %w", err)
	}
	p := strings.TrimRight(string(data), "\r\n")
	if p == "" {
		return nil, usagef("no password typed")
	}
	return &p, nil
}
