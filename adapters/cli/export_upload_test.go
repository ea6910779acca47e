package cli

import (
	"context"

	"github.com/photosync/photosync/app"
)

// UploadCommand runs `photosync upload` with args on the given use cases.
func (c *CLI) UploadCommand(ctx context.Context, args []string, up *app.Uploader, jobs *app.Jobs) error {
	return c.runWith(ctx, &app.App{Uploader: up, Jobs: jobs}, "upload", args)
}
