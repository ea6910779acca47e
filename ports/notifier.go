package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// Notifier sends alerts to targets given as URLs: a plain http(s) URL
// gets the alert as a JSON POST; other schemes (ntfy://, gotify://,
// smtp://, matrix://, telegram://, ...) go to their service.
type Notifier interface {
	// Notify sends one alert to one target.
	Notify(ctx context.Context, target string, a domain.Alert) error
	// CheckTarget refuses, with EINVALID, a target it cannot send to.
	CheckTarget(target string) error
}
