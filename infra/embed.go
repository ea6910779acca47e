package infra

import (
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// What another composition root (infra/lambdafn, the AWS Lambda function)
// builds on: the HTTP application over the use cases, on stores it opens
// itself. The self-hosted binary does not import that package, so it does
// not link the AWS SDK or aws-lambda-go.

// HTTPApp is the API and web UI with the app behind them.
type HTTPApp struct {
	Handler *echo.Echo
	App     *app.App
}

// Validate checks the configuration and fills in what it parses.
func (c *Config) Validate() error { return c.validate() }

// BuildVersion is photosync's version: Version, else the module's version
// in the build information, else "dev".
func BuildVersion() string { return version() }
