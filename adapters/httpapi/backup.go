package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Gaps of a backup status, per page.
const (
	defaultGapLimit = 100
	maxGapLimit     = 1000
)

// handleBackup answers an account's backup status: GET
// /api/v1/accounts/{id}/backup?offset=0&limit=100, the counts of its
// files by state, by year and by folder, and one page of its gaps (the
// files pending or failed, by library path).
func handleBackup(backup *app.Backup) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		offset, err := intQuery(c, "offset", 0, 0, 1<<31-1)
		if err != nil {
			return err
		}
		limit, err := intQuery(c, "limit", defaultGapLimit, 1, maxGapLimit)
		if err != nil {
			return err
		}
		st, err := backup.Status(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromBackup(st, offset, limit))
	}
}

// handleVerify starts a verify of an account: POST
// /api/v1/accounts/{id}/verify with {"full": false, "repair": false} (or
// no body). It answers 202 with the queued job; 409 while a sync of the
// account runs.
func handleVerify(v *app.Verifier, jobs *app.Jobs) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body app.VerifyOptions
		if c.Request().ContentLength != 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		job, err := v.Start(c.Request().Context(), jobs, id, body)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
		return c.JSON(http.StatusAccepted, jsonview.FromJob(job))
	}
}

// intQuery reads an integer query parameter between lo and hi, def when
// it is absent.
func intQuery(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, domain.Errorf(domain.EINVALID, "%s: %q is not a number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// handleRestore starts a restore: POST /api/v1/accounts/{id}/restore with
// {"path": "/Photos/2020", "to": "restored"}: the remote folder (or
// everything for "" or "/") into the library folder to (by default the
// folder that matches path in the library, or restored/...). It answers
// 202 with the queued job; 400 for a target outside the library; 409
// while a sync or verify of the account runs.
func handleRestore(r *app.Restorer, jobs *app.Jobs) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body app.RestoreRequest
		if c.Request().ContentLength != 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		job, err := r.Start(c.Request().Context(), jobs, id, body)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
		return c.JSON(http.StatusAccepted, jsonview.FromJob(job))
	}
}
