package cli

import (
	"context"
	"io"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// JobsCommand runs `photosync jobs` with args on jobs.
func (c *CLI) JobsCommand(ctx context.Context, args []string, jobs *app.Jobs) error {
	return c.runWith(ctx, &app.App{Jobs: jobs}, "jobs", args)
}

// runWith runs the command name with args on the given services instead of
// the ones Open would build.
func (c *CLI) runWith(ctx context.Context, s *app.App, name string, args []string) error {
	c.Open = func(context.Context) (*app.App, func(), error) { return s, func() {}, nil }
	return c.Run(ctx, append([]string{name}, args...))
}

// Follow is follow, for tests.
func (c *CLI) Follow(ctx context.Context, jobs *app.Jobs, id int64, asJSON bool) error {
	return c.follow(ctx, jobs, id, asJSON)
}

// ProgressPrinter is the progress printer, for tests.
type ProgressPrinter = progressPrinter

// NewProgressPrinter returns a printer to w, as on a terminal when tty.
func NewProgressPrinter(w io.Writer, tty bool, now func() time.Time) *ProgressPrinter {
	return newProgressPrinter(w, tty, now)
}

// Update shows j.
func (pp *progressPrinter) Update(j domain.Job) { pp.update(j) }

// Finish shows how j ended.
func (pp *progressPrinter) Finish(j domain.Job) { pp.finish(j) }
