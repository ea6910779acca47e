package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// maxJobLimit is the largest page of jobs a listing answers.
const maxJobLimit = 1000

// handleJobList answers jobs, newest first, filtered by
// ?account=ID&kind=index|upload|sync&limit=N.
func handleJobList(jobs *app.Jobs) echo.HandlerFunc {
	type response struct {
		Jobs []jsonview.Job `json:"jobs"`
	}
	return func(c echo.Context) error {
		f, err := jobFilter(c)
		if err != nil {
			return err
		}
		list, err := jobs.Jobs(c.Request().Context(), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, response{Jobs: jsonview.FromJobs(list)})
	}
}

// jobFilter reads the query of a job listing. EINVALID.
func jobFilter(c echo.Context) (domain.JobFilter, error) {
	var f domain.JobFilter
	if s := c.QueryParam("account"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return f, domain.Errorf(domain.EINVALID, "account: %q is not an account ID", s)
		}
		f.AccountID = id
	}
	switch k := domain.JobKind(c.QueryParam("kind")); k {
	case "", domain.JobIndex, domain.JobUpload, domain.JobSync, domain.JobVerify, domain.JobRestore:
		f.Kind = k
	default:
		return f, domain.Errorf(domain.EINVALID, "kind: %q is not index, upload, sync, verify or restore", k)
	}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxJobLimit {
			return f, domain.Errorf(domain.EINVALID, "limit: %q is not a number from 1 to %d", s, maxJobLimit)
		}
		f.Limit = n
	}
	return f, nil
}

func handleJobGet(jobs *app.Jobs) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		j, err := jobs.Job(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromJob(j))
	}
}

// handleJobCancel asks a job to stop. It answers 202 with the job as it
// stands: the job ends cancelled soon after (follow it with GET or the
// events). ECONFLICT when the job has ended.
func handleJobCancel(jobs *app.Jobs) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		if err := jobs.Cancel(ctx, id); err != nil {
			return err
		}
		j, err := jobs.Job(ctx, id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, jsonview.FromJob(j))
	}
}
