package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// syncUsage is the synopsis of the sync commands.
const syncUsage = `photosync sync --account ID [--dry-run] [--confirm] [--json]
  photosync sync --due [--dry-run] [--json]
  photosync sync failed --account ID [--all] [--json]
  photosync sync retry --account ID [PATH...]
  photosync sync deleted --account ID [--json]
  photosync sync restore --account ID PATH...`

// sync runs `photosync sync`: a sync of one account (--account) or of
// every due account (--due) as jobs, followed to their end with a
// progress bar on a terminal and plain lines otherwise; with --dry-run
// the plan, moving nothing. A second sync of an account that is syncing
// (here or in another photosync) is refused: it exits with 1 saying so.
// The subcommands list the files that failed or were deleted, and let the
// next run retry or restore them.
func (c *CLI) sync(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "failed", "retry", "deleted", "restore":
			return c.syncFiles(ctx, args[0], args[1:])
		}
	}
	fs := newFlags("sync")
	account := fs.Int64("account", 0, "the account to sync (see 'photosync account list')")
	due := fs.Bool("due", false, "sync every account whose interval has passed")
	dryRun := fs.Bool("dry-run", false, "print what a sync would do, and do nothing")
	confirm := fs.Bool("confirm", false, "run a sync that waits for confirmation (it would replace many files): replace what it plans")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if (*account > 0) == *due || *account < 0 {
		return usagef("sync: give --account ID or --due\nusage: %s", syncUsage)
	}
	return c.withServices(ctx, func(s *app.App) error {
		svc := s
		ids := []int64{*account}
		if *due {
			if *dryRun {
				accounts, err := svc.Scheduler.Due(ctx, app.DuePolicy{})
				if err != nil {
					return err
				}
				ids = ids[:0]
				for _, a := range accounts {
					ids = append(ids, a.ID)
				}
				return c.syncPlans(ctx, svc.Syncer, ids, *asJSON, false)
			}
			return c.syncDue(ctx, svc, *asJSON)
		}
		if *dryRun {
			return c.syncPlans(ctx, svc.Syncer, ids, *asJSON, true)
		}
		by := app.ByHand
		if *confirm {
			by = app.ByConfirmation
		}
		job, _, err := svc.Syncer.Run(ctx, *account, by, false)
		if err != nil {
			return err
		}
		return c.follow(ctx, svc.Jobs, job.ID, *asJSON)
	})
}

// syncDue starts the due syncs and follows them one after the other; with
// asJSON it prints them as a list when they have all ended.
func (c *CLI) syncDue(ctx context.Context, svc *app.App, asJSON bool) error {
	jobs, err := svc.Scheduler.RunDue(ctx)
	if err != nil && len(jobs) == 0 {
		return err
	}
	if len(jobs) == 0 && !asJSON {
		fmt.Fprintln(c.Stdout, "No account is due for a sync.")
		return nil
	}
	var errs []error
	ended := make([]domain.Job, 0, len(jobs))
	for _, j := range jobs {
		if asJSON {
			end, werr := svc.Jobs.Wait(ctx, j.ID)
			if werr != nil {
				return werr
			}
			ended = append(ended, end)
			errs = append(errs, jobOutcome(end))
			continue
		}
		fmt.Fprintf(c.Stdout, "Account %d:\n", j.AccountID)
		errs = append(errs, c.follow(ctx, svc.Jobs, j.ID, false))
	}
	if asJSON {
		if werr := writeJSON(c.Stdout, jsonview.FromJobs(ended)); werr != nil {
			return werr
		}
	}
	return errors.Join(append(errs, err)...)
}

// syncPlans prints the plans of accounts: a table each, or with asJSON
// {"plan": [...]} for a single account and a list of {"account_id",
// "plan"} for --due.
func (c *CLI) syncPlans(ctx context.Context, syncer *app.Syncer, ids []int64, asJSON, single bool) error {
	type accountPlan struct {
		AccountID    int64                 `json:"account_id"`
		Plan         []jsonview.SyncAction `json:"plan"`
		CreateFolder string                `json:"create_folder,omitempty"`
	}
	plans := make([]accountPlan, 0, len(ids))
	for _, id := range ids {
		plan, err := syncer.Plan(ctx, id)
		if err != nil {
			return err
		}
		plans = append(plans, accountPlan{AccountID: id, Plan: jsonview.FromSyncPlan(plan), CreateFolder: plan.CreateFolder})
		if !asJSON {
			if !single {
				fmt.Fprintf(c.Stdout, "Account %d:\n", id)
			}
			printPlan(c.Stdout, plan)
		}
	}
	switch {
	case !asJSON:
		if len(ids) == 0 {
			fmt.Fprintln(c.Stdout, "No account is due for a sync.")
		}
		return nil
	case single:
		out := map[string]any{"plan": plans[0].Plan}
		if plans[0].CreateFolder != "" {
			out["create_folder"] = plans[0].CreateFolder
		}
		return writeJSON(c.Stdout, out)
	}
	return writeJSON(c.Stdout, plans)
}

// printPlan prints a plan as a table, with a count of what would move.
func printPlan(w io.Writer, plan domain.SyncPlan) {
	var down, up int
	var bytes int64
	for _, a := range plan.Actions {
		switch a.Op {
		case domain.OpDownload, domain.OpUpdateLocal, domain.OpKeepBoth:
			down++
			bytes += a.Size
		case domain.OpUpload, domain.OpUploadAgain:
			up++
			bytes += a.Size
		}
	}
	if plan.CreateFolder != "" {
		fmt.Fprintf(w, "The sync folder %s does not exist yet: the sync will create it.\n", plan.CreateFolder)
	}
	if len(plan.Actions) == 0 {
		if plan.CreateFolder == "" {
			fmt.Fprintln(w, "Nothing to do: the library and the server are in step.")
		} else {
			fmt.Fprintln(w, "Nothing to copy: the library has no file to upload.")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OP\tLIBRARY\tSERVER\tSIZE\tREASON")
	for _, a := range plan.Actions {
		local := a.LocalPath
		if local == "" {
			local = "(named by its date)"
		}
		if a.ConflictPath != "" {
			local += " + " + a.ConflictPath
		}
		size := "-"
		if a.Size > 0 {
			size = domain.FormatBytes(a.Size)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Op, local, a.RemotePath, size, a.Reason)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d to download, %d to upload, %s in all.\n", down, up, domain.FormatBytes(bytes))
}

// syncFiles runs the subcommands on an account's files: `failed` lists
// those that failed (with --all, also those waiting for their next
// attempt), `retry` lets the next run try failed files again (the given
// library or remote paths, or every failed file), `deleted` lists the
// files deleted on one side, and `restore` lets the next run copy the
// given ones again.
func (c *CLI) syncFiles(ctx context.Context, cmd string, args []string) error {
	name := "sync " + cmd
	fs := newFlags(name)
	account := fs.Int64("account", 0, "the account (see 'photosync account list')")
	asJSON := fs.Bool("json", false, "print JSON")
	all := false
	if cmd == "failed" {
		fs.BoolVar(&all, "all", false, "also list the files waiting for their next attempt")
	}
	paths, err := parsePaths(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *account <= 0:
		return usagef("%s: --account ID is required\nusage: %s", name, syncUsage)
	case (cmd == "failed" || cmd == "deleted") && len(paths) > 0:
		return usagef("%s: takes no paths", name)
	case cmd == "restore" && len(paths) == 0:
		return usagef("sync restore: name the deleted files to restore (see 'photosync sync deleted')")
	}
	return c.withServices(ctx, func(s *app.App) error {
		syncer := s.Syncer
		switch cmd {
		case "failed":
			list, err := syncer.Failures(ctx, *account, !all)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, map[string]any{"files": jsonview.FromSyncFailures(list)})
			}
			printFailures(c.Stdout, list)
		case "deleted":
			list, err := syncer.Deleted(ctx, *account)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, map[string]any{"files": jsonview.FromDeletedPairs(list)})
			}
			printDeleted(c.Stdout, list)
		case "retry":
			n, err := syncer.Retry(ctx, *account, paths)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, map[string]int{"retried": n})
			}
			fmt.Fprintf(c.Stdout, "%d file(s) will be tried again by the next sync.\n", n)
		case "restore":
			n, err := syncer.Restore(ctx, *account, paths)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, map[string]int{"restored": n})
			}
			fmt.Fprintf(c.Stdout, "%d file(s) will be copied again by the next sync.\n", n)
		}
		return nil
	})
}

func printFailures(w io.Writer, list []domain.SyncFailure) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No failed files.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WAY\tLIBRARY\tSERVER\tTRIES\tSTATE\tLAST ERROR")
	for _, f := range list {
		state := "next try " + localTime(f.NextAttemptAt)
		if f.Failed {
			state = "failed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", f.Direction, orDash(f.LocalPath), f.RemotePath, f.Attempts, state, f.LastError)
	}
	tw.Flush()
}

func printDeleted(w io.Writer, list []domain.SyncPair) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No deleted files are kept from being copied back.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DELETED IN\tLIBRARY\tSERVER")
	for _, p := range jsonview.FromDeletedPairs(list) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.DeletedIn, p.LocalPath, p.RemotePath)
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parsePaths parses flags given before, between or after any number of
// paths and returns the paths.
func parsePaths(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagHelp(fs, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
