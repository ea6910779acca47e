package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// handleUpload starts an upload of photos to an account's folder:
// POST /api/v1/accounts/{id}/upload with
//
//	{"photos": [1, 2], "all": false, "folder": "/Photos", "size": "original",
//	 "include_raw": true, "include_video": true, "include_sidecars": true,
//	 "share": {"expires": "2026-12-31", "password": "..."}, "expire_days": 30}
//
// expire_days (1 to 3650; absent or 0 for never) removes the uploaded
// files from the server that many days later, by the scheduler.
// share (Nextcloud only; absent for none) asks for a public link to the
// folder once the files are there, with an optional expiry day and
// password; the job shows it as "link", or why it failed as "link_error".
// folder and size default to the account's upload_folder and upload_size,
// the include_* fields to true. A bad request (unknown account or photo,
// bad options, uploads turned off) is refused at once; otherwise it answers
// 202 with the queued job, whose progress GET /api/v1/jobs/{id} and the
// events show.
func handleUpload(uploader *app.Uploader, jobs *app.Jobs) echo.HandlerFunc {
	type request struct {
		Photos          []int64 `json:"photos"`
		All             bool    `json:"all"`
		Folder          string  `json:"folder"`
		Size            string  `json:"size"`
		IncludeRaw      *bool   `json:"include_raw"`
		IncludeVideo    *bool   `json:"include_video"`
		IncludeSidecars *bool   `json:"include_sidecars"`
		ExpireDays      int     `json:"expire_days"`
		Share           *struct {
			Expires  string `json:"expires"`
			Password string `json:"password"`
		} `json:"share"`
	}
	orTrue := func(b *bool) bool { return b == nil || *b }
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body request
		if err := decode(c, &body); err != nil {
			return err
		}
		expireAfter, err := domain.ExpireAfterDays(body.ExpireDays)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		var share *domain.ShareOptions
		if body.Share != nil {
			expires, err := domain.ParseShareExpiry(body.Share.Expires)
			if err != nil {
				return err
			}
			share = &domain.ShareOptions{Expires: expires, Password: domain.Secret(body.Share.Password)}
		}
		req, err := uploader.Prepare(ctx, app.UploadRequest{
			Share:     share,
			AccountID: id, PhotoIDs: body.Photos, All: body.All,
			Options: domain.UploadOptions{
				Folder: body.Folder, Size: body.Size,
				IncludeRaw: orTrue(body.IncludeRaw), IncludeVideo: orTrue(body.IncludeVideo), IncludeSidecars: orTrue(body.IncludeSidecars),
				ExpireAfter: expireAfter,
			},
		})
		if err != nil {
			return err
		}
		job, err := jobs.Start(ctx, domain.JobUpload, id, func(ctx context.Context, p *app.Progress) error {
			return uploader.Upload(ctx, req, p)
		})
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
		return c.JSON(http.StatusAccepted, jsonview.FromJob(job))
	}
}
