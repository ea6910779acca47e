package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func handleHealth(version string) echo.HandlerFunc {
	type response struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	return func(c echo.Context) error {
		return c.JSON(http.StatusOK, response{Status: "ok", Version: version})
	}
}
