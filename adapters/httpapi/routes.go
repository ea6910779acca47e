package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// addRoutes lists every route of the API.
func addRoutes(e *echo.Echo, a *app.App, s Settings) {
	e.GET("/healthz", handleHealth(s.Version))

	// The web app: index.html for its pages, and its assets. Outside the
	// session group: the sign-in page loads without a session.
	ui := handleUI(s.UI)
	e.GET("/*", ui)
	e.HEAD("/*", ui)

	e.POST("/api/v1/session", handleLogin(a.Auth))
	if s.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.Metrics))
	}

	api := e.Group("/api/v1", requireSession(a.Auth))
	api.DELETE("/session", handleLogout(a.Auth))

	api.GET("/accounts", handleAccountList(a.Accounts))
	api.POST("/accounts", handleAccountCreate(a.Accounts))
	api.GET("/accounts/:id", handleAccountGet(a.Accounts)).Name = "account"
	api.PUT("/accounts/:id", handleAccountUpdate(a.Accounts))
	api.DELETE("/accounts/:id", handleAccountDelete(a.Accounts, a.Jobs))
	api.POST("/accounts/:id/test", handleAccountTest(a.Accounts))
	api.POST("/login-flows", handleLoginFlowStart(a.LoginFlows))
	api.GET("/login-flows/:id", handleLoginFlowGet(a.LoginFlows))

	api.GET("/accounts/:id/folders", handleFolderList(a.Accounts))
	api.POST("/accounts/:id/folders", handleFolderCreate(a.Accounts))
	api.POST("/accounts/:id/upload", handleUpload(a.Uploader, a.Jobs))
	api.POST("/accounts/:id/sync", handleSync(a.Syncer))
	api.GET("/accounts/:id/runs", handleSyncRuns(a.Syncer))
	api.GET("/accounts/:id/files", handleSyncFiles(a.Syncer))
	api.POST("/accounts/:id/files/retry", handleSyncRetry(a.Syncer))
	api.POST("/accounts/:id/files/restore", handleSyncRestore(a.Syncer))
	api.GET("/accounts/:id/backup", handleBackup(a.Backup))
	api.POST("/accounts/:id/verify", handleVerify(a.Verifier, a.Jobs))
	api.POST("/accounts/:id/restore", handleRestore(a.Restorer, a.Jobs))

	api.GET("/photos", handlePhotoList(a.Photos))
	api.GET("/photos/:id", handlePhotoGet(a.Photos))
	api.GET("/photos/:id/thumb", handlePhotoThumb(a.Photos))
	api.GET("/photos/:id/details", handlePhotoDetails(a.Photos))
	api.POST("/library/index", handleLibraryIndex(a.Jobs, a.Indexer))
	api.GET("/library/problems", handleLibraryProblems(a.Indexer))
	api.GET("/watch", handleWatch(a.Watch))

	api.GET("/settings/notifications", handleNotificationList(a.Alerter))
	api.POST("/settings/notifications", handleNotificationAdd(a.Alerter))
	api.DELETE("/settings/notifications/:id", handleNotificationDelete(a.Alerter))
	api.POST("/settings/notifications/test", handleNotificationTest(a.Alerter))

	api.GET("/versions", handleVersionList(a.Versions))
	api.POST("/versions/:id/restore", handleVersionRestore(a.Versions, a.Jobs, a.Indexer))

	api.GET("/jobs", handleJobList(a.Jobs))
	api.GET("/jobs/:id", handleJobGet(a.Jobs))
	api.POST("/jobs/:id/cancel", handleJobCancel(a.Jobs))
	api.GET("/events", handleEvents(a.Jobs))

	// Anything else under /api answers 401 without a session and 404 with
	// one, so the API's shape is not revealed to strangers.
	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
}
