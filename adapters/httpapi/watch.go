package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
)

// handleWatch answers what the library watcher sees (not watching when
// there is none, e.g. on Lambda or with PHOTOSYNC_WATCH_DELAY=0).
func handleWatch(w *app.Watch) echo.HandlerFunc {
	return func(c echo.Context) error {
		var s app.WatchStatus
		if w != nil {
			s = w.Status()
		}
		return c.JSON(http.StatusOK, jsonview.FromWatch(s))
	}
}
