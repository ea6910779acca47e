package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

func handleFolderList(accounts *app.Accounts) echo.HandlerFunc {
	type response struct {
		Path    string            `json:"path"`
		Folders []jsonview.Folder `json:"folders"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		dir := c.QueryParam("path")
		if dir == "" {
			dir = "/"
		}
		dir, err = domain.CleanRemotePath(dir)
		if err != nil {
			return err
		}
		folders, err := accounts.Folders(c.Request().Context(), id, dir)
		if err != nil {
			return err
		}
		out := response{Path: dir, Folders: make([]jsonview.Folder, 0, len(folders))}
		for _, f := range folders {
			out.Folders = append(out.Folders, jsonview.FromFolder(f))
		}
		return c.JSON(http.StatusOK, out)
	}
}

func handleFolderCreate(accounts *app.Accounts) echo.HandlerFunc {
	type request struct {
		Path string `json:"path"`
	}
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var req request
		if err := decode(c, &req); err != nil {
			return err
		}
		f, err := accounts.CreateFolder(c.Request().Context(), id, req.Path)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, jsonview.FromFolder(f))
	}
}
