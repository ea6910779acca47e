package httpapi

import "github.com/labstack/echo/v4"

// addRoutes lists every route of the API.
func addRoutes(e *echo.Echo, d Deps) {
	e.GET("/healthz", handleHealth(d.Version))

	// The web app: index.html for its pages, and its assets. Outside the
	// session group: the sign-in page loads without a session.
	ui := handleUI(d.UI)
	e.GET("/*", ui)
	e.HEAD("/*", ui)

	e.POST("/api/v1/session", handleLogin(d.Auth))
	if d.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(d.Metrics))
	}

	api := e.Group("/api/v1", requireSession(d.Auth))
	api.DELETE("/session", handleLogout(d.Auth))

	api.GET("/accounts", handleAccountList(d.Accounts))
	api.POST("/accounts", handleAccountCreate(d.Accounts))
	api.GET("/accounts/:id", handleAccountGet(d.Accounts)).Name = "account"
	api.PUT("/accounts/:id", handleAccountUpdate(d.Accounts))
	api.DELETE("/accounts/:id", handleAccountDelete(d.Accounts, d.Jobs))
	api.POST("/accounts/:id/test", handleAccountTest(d.Accounts))
	api.POST("/login-flows", handleLoginFlowStart(d.LoginFlows))
	api.GET("/login-flows/:id", handleLoginFlowGet(d.LoginFlows))

	api.GET("/accounts/:id/folders", handleFolderList(d.Accounts))
	api.POST("/accounts/:id/folders", handleFolderCreate(d.Accounts))
	api.POST("/accounts/:id/upload", handleUpload(d.Uploader, d.Jobs))
	api.POST("/accounts/:id/sync", handleSync(d.Syncer, d.Jobs))
	api.GET("/accounts/:id/runs", handleSyncRuns(d.Syncer))
	api.GET("/accounts/:id/files", handleSyncFiles(d.Syncer))
	api.POST("/accounts/:id/files/retry", handleSyncRetry(d.Syncer))
	api.POST("/accounts/:id/files/restore", handleSyncRestore(d.Syncer))
	api.GET("/accounts/:id/backup", handleBackup(d.Backup))
	api.POST("/accounts/:id/verify", handleVerify(d.Verifier, d.Jobs))
	api.POST("/accounts/:id/restore", handleRestore(d.Restorer, d.Jobs))

	api.GET("/photos", handlePhotoList(d.Photos))
	api.GET("/photos/:id", handlePhotoGet(d.Photos))
	api.GET("/photos/:id/thumb", handlePhotoThumb(d.Photos))
	api.GET("/photos/:id/details", handlePhotoDetails(d.Photos))
	api.POST("/library/index", handleLibraryIndex(d.Jobs, d.Indexer))
	api.GET("/library/problems", handleLibraryProblems(d.Indexer))
	api.GET("/watch", handleWatch(d.Watch))

	api.GET("/settings/notifications", handleNotificationList(d.Alerter))
	api.POST("/settings/notifications", handleNotificationAdd(d.Alerter))
	api.DELETE("/settings/notifications/:id", handleNotificationDelete(d.Alerter))
	api.POST("/settings/notifications/test", handleNotificationTest(d.Alerter))

	api.GET("/versions", handleVersionList(d.Versions))
	api.POST("/versions/:id/restore", handleVersionRestore(d.Versions, d.Jobs, d.Indexer))

	api.GET("/jobs", handleJobList(d.Jobs))
	api.GET("/jobs/:id", handleJobGet(d.Jobs))
	api.POST("/jobs/:id/cancel", handleJobCancel(d.Jobs))
	api.GET("/events", handleEvents(d.Jobs))

	// Anything else under /api answers 401 without a session and 404 with
	// one, so the API's shape is not revealed to strangers.
	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
}
