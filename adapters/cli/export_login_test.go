package cli

import (
	"context"
	"time"

	"github.com/photosync/photosync/app"
)

// LoginCommand runs `photosync account login` with args on flows, polling
// every interval.
func (c *CLI) LoginCommand(ctx context.Context, args []string, flows *app.LoginFlows, interval time.Duration) error {
	return c.accountLogin(ctx, args, func(*Services) *app.LoginFlows { return flows }, interval)
}
