// Package httpapi is photosync's JSON API over HTTP, built on Echo. Every
// route is listed in routes.go; handlers are maker functions that take
// what they need; errors are mapped to statuses in one table (errors.go).
package httpapi

import (
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/photosync/photosync/app"
)

// maxBodyBytes limits request bodies: 1 MiB, given to Echo as "1MiB"
// (its "1M" would be 1,000,000 bytes).
const maxBodyBytes = 1 << 20

// Settings are the API's own settings beside the app it serves.
type Settings struct {
	// Metrics serves GET /metrics (without a session: it checks its own
	// bearer token); nil serves none.
	Metrics MetricsHandler
	// UI is the web app served at /; nil serves none.
	UI fs.FS
	// TrustProxy takes the client's address from X-Forwarded-For, and
	// accepts X-Forwarded-Host as this server's name in the Origin check,
	// when the request comes from a reverse proxy on a loopback or private
	// address. Off, the client is the socket's peer and the headers are
	// ignored, so a client cannot dodge the sign-in limit by inventing
	// them. Wire leaves it off until the configuration provides it.
	TrustProxy TrustProxy
	Version    string
}

// MetricsHandler serves the Prometheus metrics.
type MetricsHandler http.Handler

// TrustProxy says whether photosync runs behind a reverse proxy whose
// X-Forwarded-For and X-Forwarded-Host headers it may believe.
type TrustProxy bool

// New returns the API of the app a as an http.Handler. a.Watch and
// a.LoginFlows may be nil: no library watcher, no Login Flow.
func New(a *app.App, s Settings) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(a.Log)
	e.IPExtractor = echo.ExtractIPDirect()
	if s.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		a.Log.Error("panic in handler", "method", c.Request().Method, "path", c.Path(), "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(requestLog(a.Log), securityHeaders, middleware.BodyLimit("1MiB"), sameOrigin(bool(s.TrustProxy)))
	addRoutes(e, a, s)
	return e
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requestLog logs one line per request: method, route pattern, status and
// duration. It logs the route pattern, not the URL, so no query string (a
// folder name, say) ends in the logs.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogStatus: true, LogLatency: true, LogRoutePath: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= http.StatusInternalServerError {
				level = slog.LevelWarn
			}
			log.Log(c.Request().Context(), level, "http request", "method", v.Method, "route", v.RoutePath, "status", v.Status, "ms", v.Latency.Milliseconds())
			return nil
		},
	})
}
