package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// pollEvery is how often follow reads a job again besides its updates,
// for a job that another process runs.
const pollEvery = time.Second

// jobs runs `photosync jobs [list] [--account ID] [--kind K] [--limit N]
// [--json]`, the newest jobs, and `photosync jobs show ID [--json]`, one
// job with its failed files.
func (c *CLI) jobs(ctx context.Context, args []string) error {
	name, want := "jobs", 0
	if len(args) > 0 && (args[0] == "list" || args[0] == "ls" || args[0] == "show") {
		if args[0] == "show" {
			name, want = "jobs show", 1
		}
		args = args[1:]
	}
	fs := newFlags(name)
	asJSON := fs.Bool("json", false, "print JSON")
	var account int64
	var kind string
	limit := 20
	if want == 0 {
		fs.Int64Var(&account, "account", 0, "only the jobs of this account")
		fs.StringVar(&kind, "kind", "", "only jobs of this kind: index, upload or sync")
		fs.IntVar(&limit, "limit", limit, "how many of the newest jobs to list")
	}
	pos, err := parse(fs, args, want)
	if err != nil {
		return err
	}
	f := domain.JobFilter{AccountID: account, Kind: domain.JobKind(kind), Limit: limit}
	switch f.Kind {
	case "", domain.JobIndex, domain.JobUpload, domain.JobSync, domain.JobVerify, domain.JobRestore:
	default:
		return usagef("%s: --kind %q is not index, upload, sync, verify or restore", name, kind)
	}
	if account < 0 || limit < 1 {
		return usagef("%s: --account must be an account ID and --limit at least 1", name)
	}
	var id int64
	if want == 1 {
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return usagef("%q is not a job ID (see 'photosync jobs')", pos[0])
		}
	}
	return c.withServices(ctx, func(s *app.App) error {
		jobs := s.Jobs
		if id != 0 {
			j, err := jobs.Job(ctx, id)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(c.Stdout, jsonview.FromJob(j))
			}
			printJob(c.Stdout, j)
			return nil
		}
		list, err := jobs.Jobs(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.FromJobs(list))
		}
		printJobs(c.Stdout, list)
		return nil
	})
}

// follow shows the progress of job id until it ends, then how it ended:
// a progress bar on a terminal, plain lines otherwise, and with asJSON
// only the final job as JSON. Cancelling ctx (Ctrl-C) cancels the job and
// waits for it to stop. It returns an error when the job did not end
// done, so that the command exits with 1.
func (c *CLI) follow(ctx context.Context, jobs *app.Jobs, id int64, asJSON bool) error {
	updates, stop := jobs.Subscribe()
	defer stop()
	j, err := jobs.Job(ctx, id) // after Subscribe: no update is missed
	if err != nil {
		return err
	}
	pp := newProgressPrinter(c.Stdout, isTerminal(c.Stdout, c.Getenv), time.Now)
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	interrupt, live := ctx.Done(), context.WithoutCancel(ctx)
	for !j.State.Ended() {
		if !asJSON {
			pp.update(j)
		}
		select {
		case u, ok := <-updates:
			if !ok {
				updates = nil // the runner stopped: poll
			} else if u.ID == id {
				j = u
			}
		case <-poll.C:
			if j, err = jobs.Job(live, id); err != nil {
				return err
			}
		case <-interrupt:
			interrupt = nil
			if err := jobs.Cancel(live, id); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
				return err
			}
		}
	}
	if asJSON {
		if err := writeJSON(c.Stdout, jsonview.FromJob(j)); err != nil {
			return err
		}
	} else {
		pp.finish(j)
	}
	if n, all := app.KnownProblems(j); all && j.State == domain.JobPartial {
		// Files the index knew were bad before this run: not a failure
		// of the run, or a cron job would fail every time.
		if !asJSON {
			fmt.Fprintf(c.Stdout, "Done, with %d known problem file(s) not sent (see 'photosync index').\n", n)
		}
		return nil
	}
	return jobOutcome(j)
}

// jobOutcome is the command's error for a job that did not end done. The
// summary is printed already; the error repeats the gist for the exit
// line. The code only needs to be one that Describe shows as it is.
func jobOutcome(j domain.Job) error {
	switch j.State {
	case domain.JobFailed:
		return domain.Errorf(domain.EUNAVAILABLE, "%s failed: %s", j.Kind, j.Error)
	case domain.JobPartial:
		return domain.Errorf(domain.EUNAVAILABLE, "%s: %d of %d files failed", j.Kind, j.Failed, j.FilesDone)
	case domain.JobCancelled:
		return domain.Errorf(domain.ECONFLICT, "%s cancelled", j.Kind)
	}
	return nil
}

func printJobs(w io.Writer, jobs []domain.Job) {
	if len(jobs) == 0 {
		fmt.Fprintln(w, "No jobs yet.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tACCOUNT\tSTATE\tFILES\tSIZE\tRESULT\tSTARTED")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.ID, j.Kind, accountOf(j), j.State,
			fileCount(j), domain.FormatBytes(j.BytesDone), jobCounts(j), localTime(j.StartedAt))
	}
	tw.Flush()
}

func printJob(w io.Writer, j domain.Job) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", k, v) }
	row("ID", j.ID)
	row("Kind", j.Kind)
	row("Account", accountOf(j))
	row("State", j.State)
	row("Files", fileCount(j))
	row("Size", fmt.Sprintf("%s of %s", domain.FormatBytes(j.BytesDone), domain.FormatBytes(j.BytesTotal)))
	row("Result", jobCounts(j))
	row("Created", localTime(j.CreatedAt))
	row("Started", localTime(j.StartedAt))
	row("Finished", localTime(j.FinishedAt))
	if j.Error != "" {
		row("Error", j.Error)
	}
	tw.Flush()
	fileErrors(w, j)
}

func accountOf(j domain.Job) string {
	if j.AccountID == 0 {
		return "-"
	}
	return fmt.Sprint(j.AccountID)
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}
