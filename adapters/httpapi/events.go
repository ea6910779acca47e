package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
)

// heartbeatEvery is how often an idle event stream sends a comment, so
// that proxies and browsers keep the connection open and a client that
// went away is noticed.
const heartbeatEvery = 15 * time.Second

// handleEvents streams job progress as server-sent events: one
// `event: job` per update with the job's JSON as data, starting with the
// jobs running now, and a comment line as heartbeat. The stream ends when
// the client goes away or photosync stops.
func handleEvents(jobs *app.Jobs) echo.HandlerFunc {
	return handleEventsEvery(jobs, heartbeatEvery)
}

func handleEventsEvery(jobs *app.Jobs, heartbeat time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error {
		updates, stop := jobs.Subscribe()
		defer stop()

		res := c.Response()
		h := res.Header()
		h.Set(echo.HeaderContentType, "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
		res.WriteHeader(http.StatusOK)
		flush := http.NewResponseController(res.Writer).Flush
		// The retry field tells browsers to reconnect after 3 s.
		if err := sendEvent(res, flush, "retry: 3000\n\n"); err != nil {
			return nil
		}

		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		ctx := c.Request().Context()
		for {
			var msg string
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
				msg = ": heartbeat\n\n"
			case j, ok := <-updates:
				if !ok {
					return nil // photosync is stopping
				}
				data, err := json.Marshal(jsonview.FromJob(j))
				if err != nil {
					return fmt.Errorf("events: %w", err)
				}
				msg = "event: job\ndata: " + string(data) + "\n\n"
			}
			if err := sendEvent(res, flush, msg); err != nil {
				return nil // the client went away
			}
		}
	}
}

// sendEvent writes one message of the stream and flushes it to the client.
func sendEvent(w io.Writer, flush func() error, msg string) error {
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	return flush()
}
