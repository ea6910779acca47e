package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
)

// problemList is the answer of GET /api/v1/library/problems.
type problemList struct {
	Files []jsonview.PhotoFile `json:"files"`
}

// handleLibraryProblems answers every file of the library the index knows
// has a problem (empty, unreadable, corrupt, a sidecar without its photo),
// with its cause: what the last index found, and what earlier ones found
// in files that have not changed since.
func handleLibraryProblems(indexer *app.Indexer) echo.HandlerFunc {
	return func(c echo.Context) error {
		files, err := indexer.Problems(c.Request().Context())
		if err != nil {
			return err
		}
		out := problemList{Files: make([]jsonview.PhotoFile, 0, len(files))}
		for _, f := range files {
			out.Files = append(out.Files, jsonview.FromLibraryFile(f, nil))
		}
		return c.JSON(http.StatusOK, out)
	}
}
