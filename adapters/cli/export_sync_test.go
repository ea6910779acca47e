package cli

import (
	"context"

	"github.com/photosync/photosync/app"
)

// SyncCommand runs `photosync sync` with args on the given use cases.
func (c *CLI) SyncCommand(ctx context.Context, args []string, syncer *app.Syncer, sched *app.Scheduler, jobs *app.Jobs) error {
	return c.runWith(ctx, &app.App{Syncer: syncer, Scheduler: sched, Jobs: jobs}, "sync", args)
}
