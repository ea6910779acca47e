package httpapi

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// NewWithJobs returns the API of d with the job routes, as routes.go lists
// them once Deps has Jobs, and the events' heartbeat every heartbeat.
func NewWithJobs(d Deps, jobs *app.Jobs, heartbeat time.Duration) *echo.Echo {
	e := New(d)
	api := e.Group("/api/v1", requireSession(d.Auth))
	api.GET("/jobs", handleJobList(jobs))
	api.GET("/jobs/:id", handleJobGet(jobs))
	api.POST("/jobs/:id/cancel", handleJobCancel(jobs))
	api.GET("/events", handleEventsEvery(jobs, heartbeat))
	return e
}
