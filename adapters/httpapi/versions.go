package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
)

// handleVersionList answers the kept versions of replaced library files,
// newest first: {"versions": [...], "keep_seconds": N}, N being how long
// a version is kept.
func handleVersionList(versions *app.Versions) echo.HandlerFunc {
	type response struct {
		Versions    []jsonview.Version `json:"versions"`
		KeepSeconds int64              `json:"keep_seconds"`
	}
	return func(c echo.Context) error {
		list, err := versions.List(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Versions: jsonview.FromVersions(list), KeepSeconds: int64(versions.KeepFor().Seconds())})
	}
}

// handleVersionRestore puts a version back into the library: POST
// /api/v1/versions/{id}/restore (no body, or {}). It answers 200 with
// {"id", "path"}: the library path the file has now, its own or, when
// that holds other bytes, a "(restored ...)" name beside it. 404 for an
// unknown version. An index starts at once, so that the restored file is
// among the photos without waiting for the next one (unless one runs).
func handleVersionRestore(versions *app.Versions, jobs *app.Jobs, indexer *app.Indexer) echo.HandlerFunc {
	type request struct{}
	return func(c echo.Context) error {
		var body request
		if c.Request().ContentLength != 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		id := c.Param("id")
		p, err := versions.Restore(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if jobs != nil && indexer != nil {
			_, _ = app.StartIndex(context.WithoutCancel(c.Request().Context()), jobs, indexer)
		}
		return c.JSON(http.StatusOK, jsonview.Restored{ID: id, Path: p})
	}
}
