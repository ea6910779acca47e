package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// NewWithLoginFlows returns the API of d with the login flow routes, as
// routes.go lists them once Deps has LoginFlows.
func NewWithLoginFlows(d Deps, flows *app.LoginFlows) *echo.Echo {
	e := New(d)
	api := e.Group("/api/v1", requireSession(d.Auth))
	api.POST("/login-flows", handleLoginFlowStart(flows))
	api.GET("/login-flows/:id", handleLoginFlowGet(flows))
	return e
}
