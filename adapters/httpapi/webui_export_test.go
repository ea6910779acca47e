package httpapi

import (
	"io/fs"

	"github.com/labstack/echo/v4"
)

// NewWithUI returns the API of d serving the web app ui at /, with the
// route lines routes.go has once Deps has UI.
func NewWithUI(d Deps, ui fs.FS) *echo.Echo {
	e := New(d)
	h := handleUI(ui)
	e.GET("/*", h)
	e.HEAD("/*", h)
	return e
}
