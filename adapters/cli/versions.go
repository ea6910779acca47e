package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// versions runs `photosync versions [list] [--json]`, the library files a
// sync replaced and kept, newest first, and `photosync versions restore
// ID [--json]`, which puts one back and prints where.
func (c *CLI) versions(ctx context.Context, args []string) error {
	name, want := "versions", 0
	if len(args) > 0 && (args[0] == "list" || args[0] == "ls" || args[0] == "restore") {
		if args[0] == "restore" {
			name, want = "versions restore", 1
		}
		args = args[1:]
	}
	fs := newFlags(name)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, want)
	if err != nil {
		if want == 0 && len(args) > 0 && args[0] != "" && args[0][0] != '-' {
			return usagef("versions: unknown subcommand %q (use list or restore ID)", args[0])
		}
		return err
	}
	return c.withServices(ctx, func(s *app.App) error {
		if want == 1 {
			id := pos[0]
			p, err := s.Versions.Restore(ctx, id)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, jsonview.Restored{ID: id, Path: p})
			}
			fmt.Fprintf(c.Stdout, "Restored version %s to %s\n", id, p)
			return nil
		}
		list, err := s.Versions.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.FromVersions(list))
		}
		printVersions(c.Stdout, list, s.Versions.KeepFor())
		return nil
	})
}

func printVersions(w io.Writer, list []domain.Version, keep time.Duration) {
	if len(list) == 0 {
		fmt.Fprintf(w, "No kept versions. A library file that a sync replaces is kept here for %s.\n", keepTime(keep))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKEPT\tSIZE\tPATH\tREASON")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.ID, v.KeptAt.Local().Format(time.DateTime), domain.FormatBytes(v.Size), v.Path, v.Reason)
	}
	tw.Flush()
	fmt.Fprintf(w, "Versions are kept for %s. Restore one with: photosync versions restore ID\n", keepTime(keep))
}

// keepTime is how long versions are kept, in words: "30 days", "36h0m0s".
func keepTime(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		if days := d / (24 * time.Hour); days != 1 {
			return fmt.Sprintf("%d days", days)
		}
		return "1 day"
	}
	return d.String()
}
