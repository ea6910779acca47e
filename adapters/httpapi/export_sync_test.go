package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// NewWithSync returns the API of d with the sync routes, as routes.go lists
// them once Deps has a Syncer, and the job routes.
func NewWithSync(d Deps, syncer *app.Syncer, jobs *app.Jobs) *echo.Echo {
	e := New(d)
	api := e.Group("/api/v1", requireSession(d.Auth))
	api.POST("/accounts/:id/sync", handleSync(syncer, jobs))
	api.GET("/accounts/:id/runs", handleSyncRuns(syncer))
	api.GET("/accounts/:id/files", handleSyncFiles(syncer))
	api.POST("/accounts/:id/files/retry", handleSyncRetry(syncer))
	api.POST("/accounts/:id/files/restore", handleSyncRestore(syncer))
	api.GET("/jobs/:id", handleJobGet(jobs))
	return e
}
