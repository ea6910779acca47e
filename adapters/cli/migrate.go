package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
)

// TableCount is how many rows migrate-store copied into one table.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// StoreMigrator copies the data folder's SQLite database into the
// PostgreSQL database at url, in one transaction, and says how many rows
// it copied into each table. ECONFLICT when the target holds data and
// replace is false. It belongs to the composition root, which owns both
// databases.
type StoreMigrator func(ctx context.Context, url string, replace bool) ([]TableCount, error)

// migrateStore is `photosync migrate-store [--to URL] [--force] [--json]`.
// Without --to, the target is PHOTOSYNC_DATABASE_URL: a URL in a flag
// shows its password to every user of the machine (ps), one in the
// environment does not.
func (c *CLI) migrateStore(ctx context.Context, args []string) error {
	fs := newFlags("migrate-store")
	to := fs.String("to", "", "the PostgreSQL database to copy into, postgres://user:password@host/db (default: $PHOTOSYNC_DATABASE_URL)")
	force := fs.Bool("force", false, "replace what the PostgreSQL database holds")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	url := *to
	if url == "" {
		url = c.Getenv("PHOTOSYNC_DATABASE_URL")
	}
	if url == "" {
		return usagef("migrate-store: name the PostgreSQL database with --to or PHOTOSYNC_DATABASE_URL")
	}
	if c.MigrateStore == nil {
		return usagef("migrate-store: not available in this build")
	}
	if *to != "" {
		fmt.Fprintln(c.Stderr, "warning: a password in --to is visible to other users of this machine; prefer PHOTOSYNC_DATABASE_URL")
	}
	counts, err := c.MigrateStore(ctx, url, *force)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.Stdout, map[string]any{"tables": counts})
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tROWS\t")
	for _, tc := range counts {
		fmt.Fprintf(tw, "%s\t%d\t\n", tc.Table, tc.Rows)
	}
	tw.Flush()
	fmt.Fprintln(c.Stdout, "Copied. Start photosync with PHOTOSYNC_DATABASE_URL set to this database, and the same secret key, to carry on from it.")
	return nil
}
