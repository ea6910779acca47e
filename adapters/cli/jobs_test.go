package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// jobsCLI is a CLI that prints into out, and jobs on a memory store.
func jobsCLI(t *testing.T) (*cli.CLI, *bytes.Buffer, *app.Jobs) {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	jobs := app.NewJobs(memory.NewJobStore(clock), clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(jobs.Close)
	out := &bytes.Buffer{}
	c := &cli.CLI{
		Stdin: strings.NewReader(""), Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" },
		Open: func(context.Context) (*app.App, func(), error) { return &app.App{}, func() {}, nil },
	}
	return c, out, jobs
}

// partialUpload uploads one file and fails another.
func partialUpload(ctx context.Context, p *app.Progress) error {
	p.SetTotal(2, 2000)
	p.AddBytes(1000)
	p.FileDone("2024/a.jpg", app.Uploaded, nil)
	p.FileDone("2024/b.dng", app.Failed, domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered 507: insufficient storage"))
	return nil
}

func TestJobsCommand(t *testing.T) {
	c, out, jobs := jobsCLI(t)
	ctx := context.Background()
	if err := c.JobsCommand(ctx, nil, jobs); err != nil || !strings.Contains(out.String(), "No jobs yet.") {
		t.Fatalf("jobs with none: %v, %q", err, out)
	}
	for _, account := range []int64{1, 2} {
		if _, err := jobs.Run(ctx, domain.JobUpload, account, partialUpload); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := c.JobsCommand(ctx, []string{"--account", "2"}, jobs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "partial") ||
		!strings.Contains(lines[1], "1 uploaded, 0 skipped, 1 failed") || !strings.HasPrefix(lines[1], "2 ") {
		t.Fatalf("jobs --account 2:\n%s", out)
	}

	out.Reset()
	if err := c.JobsCommand(ctx, []string{"list", "--json"}, jobs); err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID     int64
		State  string
		Errors []struct{ Path, Message string }
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list) != 2 || list[0].ID != 2 || list[0].Errors[0].Path != "2024/b.dng" {
		t.Fatalf("jobs --json: %v\n%s", err, out)
	}

	out.Reset()
	if err := c.JobsCommand(ctx, []string{"show", "1"}, jobs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "failed: 2024/b.dng: the server answered 507: insufficient storage") {
		t.Fatalf("jobs show 1:\n%s", out)
	}
	if err := c.JobsCommand(ctx, []string{"show", "9"}, jobs); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("jobs show 9: %v, want ENOTFOUND", err)
	}
	for _, args := range [][]string{{"--kind", "nope"}, {"show", "x"}, {"show"}, {"--limit", "0"}, {"7"}, {"show", "1", "--account", "1"}} {
		if err := c.JobsCommand(ctx, args, jobs); cli.ExitCode(err) != 2 {
			t.Errorf("jobs %q: %v, want a usage error", args, err)
		}
	}
}

func TestFollow(t *testing.T) {
	t.Run("partial", func(t *testing.T) {
		c, out, jobs := jobsCLI(t)
		ctx := context.Background()
		j, err := jobs.Start(ctx, domain.JobUpload, 1, partialUpload)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Follow(ctx, jobs, j.ID, false)
		if cli.ExitCode(err) != 1 || !strings.Contains(cli.Describe(err), "1 of 2 files failed") {
			t.Errorf("follow of a partial upload: %v", err)
		}
		if !strings.Contains(out.String(), "upload: 1 uploaded, 0 skipped, 1 failed (1.0 kB in ") ||
			!strings.Contains(out.String(), "  failed: 2024/b.dng: the server answered 507") {
			t.Errorf("follow printed:\n%s", out)
		}
	})

	t.Run("json", func(t *testing.T) {
		c, out, jobs := jobsCLI(t)
		ctx := context.Background()
		j, err := jobs.Start(ctx, domain.JobIndex, 0, func(ctx context.Context, p *app.Progress) error {
			p.SetTotal(1, 10)
			p.FileDone("a.jpg", app.Uploaded, nil)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Follow(ctx, jobs, j.ID, true); err != nil {
			t.Fatalf("follow of a done index: %v", err)
		}
		var got struct {
			State     string
			AccountID *int64 `json:"account_id"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.State != "done" || got.AccountID != nil {
			t.Fatalf("follow --json printed %q (%v), want the done job alone", out, err)
		}
	})

	t.Run("interrupted", func(t *testing.T) {
		c, out, jobs := jobsCLI(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		started := make(chan struct{})
		j, err := jobs.Start(ctx, domain.JobUpload, 1, func(ctx context.Context, p *app.Progress) error {
			p.SetTotal(3, 0)
			p.FileDone("a.jpg", app.Uploaded, nil)
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		interrupt, ctrlC := context.WithCancel(ctx)
		go func() {
			<-started
			ctrlC()
		}()
		err = c.Follow(interrupt, jobs, j.ID, false)
		if !strings.Contains(cli.Describe(err), "upload cancelled") {
			t.Errorf("follow interrupted: %v", err)
		}
		if !strings.Contains(out.String(), "upload cancelled: 1 uploaded") {
			t.Errorf("follow printed:\n%s", out)
		}
		if end, err := jobs.Wait(ctx, j.ID); err != nil || end.State != domain.JobCancelled {
			t.Errorf("job after Ctrl-C: %+v, %v", end, err)
		}
	})

	t.Run("missing", func(t *testing.T) {
		c, _, jobs := jobsCLI(t)
		if err := c.Follow(context.Background(), jobs, 42, false); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("follow of a missing job: %v, want ENOTFOUND", err)
		}
	})
}
