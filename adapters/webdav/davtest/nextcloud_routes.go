package davtest

import "net/http"

// routes lists every route of the Nextcloud imitation in one place. A new
// capability (Login Flow v2, chunked upload) adds its handlers in a file of
// its own and a line here. Patterns take the base path; more specific
// patterns win, so remote.php/dav/uploads/ may sit beside
// remote.php/dav/files/.
func (n *Nextcloud) routes(mux *http.ServeMux) {
	b := n.cfg.basePath
	mux.Handle("GET "+b+"/status.php", n.handleStatus())

	mux.Handle(b+"/ocs/v1.php/cloud/user", n.handleOCS(1, n.ocsCurrentUser))
	mux.Handle(b+"/ocs/v2.php/cloud/user", n.handleOCS(2, n.ocsCurrentUser))

	files := n.requireDAVAuth(n.handleDAV(filesRoot))
	mux.Handle(b+"/remote.php/dav/files/", files)
	legacy := n.requireDAVAuth(n.handleDAV(legacyRoot))
	mux.Handle(b+"/remote.php/webdav", legacy)
	mux.Handle(b+"/remote.php/webdav/", legacy)

	n.loginFlowRoutes(mux) // Login Flow v2 and app passwords
	n.shareRoutes(mux)     // public links of the OCS Share API
	n.chunkingRoutes(mux)  // chunked upload v2
	n.bulkRoutes(mux)      // bulk upload and the capabilities
	n.csrfRoutes(mux)      // the CSRF token of a session
}
