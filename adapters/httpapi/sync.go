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

// maxRunLimit is the largest page of runs a listing answers.
const maxRunLimit = 1000

// handleSync starts a sync of an account: POST
// /api/v1/accounts/{id}/sync with {"dry_run": false} (or no body). It
// answers 202 with the queued job, whose progress GET /api/v1/jobs/{id}
// and the events show; 409 when a sync of the account already runs (here
// or in another photosync) or its sync is turned off. A dry run answers
// 200 with {"plan": [{op, direction, local_path, remote_path, size,
// reason}]} and moves nothing. {"confirm": true} runs a sync that waits
// for confirmation (more replacements than PHOTOSYNC_MAX_CHANGES, or a
// large first sync): it replaces what its plan says.
func handleSync(syncer *app.Syncer) echo.HandlerFunc {
	type request struct {
		DryRun  bool `json:"dry_run"`
		Confirm bool `json:"confirm"`
	}
	type planResponse struct {
		Plan []jsonview.SyncAction `json:"plan"`
		// CreateFolder is the sync folder when it does not exist yet: the
		// run will create it.
		CreateFolder string `json:"create_folder,omitempty"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body request
		if c.Request().ContentLength != 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		ctx := c.Request().Context()
		if body.DryRun {
			plan, err := syncer.Plan(ctx, id)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, planResponse{Plan: jsonview.FromSyncPlan(plan), CreateFolder: plan.CreateFolder})
		}
		by := app.ByHand
		if body.Confirm {
			by = app.ByConfirmation
		}
		job, _, err := syncer.Run(ctx, id, by, false)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
		return c.JSON(http.StatusAccepted, jsonview.FromJob(job))
	}
}

// handleSyncRuns answers an account's most recent sync runs, newest
// first: GET /api/v1/accounts/{id}/runs?limit=N (20 by default).
func handleSyncRuns(syncer *app.Syncer) echo.HandlerFunc {
	type response struct {
		Runs []jsonview.SyncRun `json:"runs"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		limit := 20
		if s := c.QueryParam("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > maxRunLimit {
				return domain.Errorf(domain.EINVALID, "limit: %q is not a number from 1 to %d", s, maxRunLimit)
			}
			limit = n
		}
		runs, err := syncer.Runs(c.Request().Context(), id, limit)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Runs: jsonview.FromSyncRuns(runs)})
	}
}

// handleSyncFiles answers an account's per-file sync state: GET
// /api/v1/accounts/{id}/files?state=failed (the files that reached the
// retry limit, the default), state=all (those waiting for their next
// attempt too), or state=deleted (the files deleted on one side, which
// are not copied back until restored).
func handleSyncFiles(syncer *app.Syncer) echo.HandlerFunc {
	type response struct {
		Files any `json:"files"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		switch state := c.QueryParam("state"); state {
		case "", "failed", "all":
			list, err := syncer.Failures(ctx, id, state != "all")
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, response{Files: jsonview.FromSyncFailures(list)})
		case "deleted":
			list, err := syncer.Deleted(ctx, id)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, response{Files: jsonview.FromDeletedPairs(list)})
		default:
			return domain.Errorf(domain.EINVALID, "state: %q is not failed, all or deleted", state)
		}
	}
}

// pathsRequest names files by their library or remote paths.
type pathsRequest struct {
	Paths []string `json:"paths"`
}

// handleSyncRetry lets the next run try failed files again: POST
// /api/v1/accounts/{id}/files/retry with {"paths": [...]} (library or
// remote paths; none or an empty list for every failed file). It answers
// {"retried": N}.
func handleSyncRetry(syncer *app.Syncer) echo.HandlerFunc {
	type response struct {
		Retried int `json:"retried"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body pathsRequest
		if c.Request().ContentLength != 0 {
			if err := decode(c, &body); err != nil {
				return err
			}
		}
		n, err := syncer.Retry(c.Request().Context(), id, body.Paths)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Retried: n})
	}
}

// handleSyncRestore lets the next run copy deleted files again: POST
// /api/v1/accounts/{id}/files/restore with {"paths": [...]} (library or
// remote paths, at least one). It answers {"restored": N}.
func handleSyncRestore(syncer *app.Syncer) echo.HandlerFunc {
	type response struct {
		Restored int `json:"restored"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body pathsRequest
		if err := decode(c, &body); err != nil {
			return err
		}
		n, err := syncer.Restore(c.Request().Context(), id, body.Paths)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Restored: n})
	}
}
