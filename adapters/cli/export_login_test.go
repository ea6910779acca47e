package cli

import (
	"context"
	"time"

	"github.com/photosync/photosync/app"
)

// LoginCommand runs `photosync account login` with args on flows, polling
// every interval.
func (c *CLI) LoginCommand(ctx context.Context, args []string, flows *app.LoginFlows, interval time.Duration) error {
	c.LoginPoll = interval
	return c.runWith(ctx, &app.App{LoginFlows: flows}, "account", append([]string{"login"}, args...))
}
