package httpapi

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// NewWithJobs returns the API of a with the events' heartbeat every
// heartbeat.
func NewWithJobs(a *app.App, s Settings, heartbeat time.Duration) *echo.Echo {
	e := New(a, s)
	api := e.Group("/api/v1", requireSession(a.Auth))
	api.GET("/events", handleEventsEvery(a.Jobs, heartbeat))
	return e
}
