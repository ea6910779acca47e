package davtest

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Nextcloud is a running imitation of a Nextcloud server, in process on
// 127.0.0.1, with one user. It answers what photosync asks a real Nextcloud
// in the formats real Nextcloud (30, with its Sabre WebDAV server) uses:
// status.php, the OCS user endpoint, and WebDAV under remote.php/dav and the
// legacy remote.php/webdav, with propagated folder ETags, file ids and
// permissions.
//
// Deliberate differences from real Nextcloud are listed with the options
// that switch them off.
type Nextcloud struct {
	BaseURL     string // e.g. http://127.0.0.1:PORT or http://127.0.0.1:PORT/nextcloud, no trailing slash
	LoginName   string // what the user types to log in, default "alice@example.com"
	UserID      string // Nextcloud's user id, default "alice"; deliberately not the login name
	DisplayName string // default "Alice"
	Password    string
	Dir         string // the user's files on disk
	DAVURL      string // BaseURL + "/remote.php/dav/files/" + UserID + "/"
	WebDAVURL   string // BaseURL + "/remote.php/webdav/", the legacy endpoint for the same files

	cfg     nextcloudConfig
	files   *fileState
	staging string // where PUT bodies are written before they replace a file

	mu       sync.Mutex
	requests []Request

	uploads *uploadState  // chunked upload v2, see nextcloud_chunking.go
	auth    *sessionState // sign-in and sessions, see nextcloud_auth.go
	// tokenExists reports whether an app password is valid (not revoked).
	tokenExists func(token string) bool
	quota       *quotaState // the quota and its cached root answer, see nextcloud_props.go
}

// Request is a request the Nextcloud server answered.
type Request struct {
	Method        string
	Path          string      // the URL path as sent, still escaped, without the query
	Depth         string      // the Depth header, "" when there was none
	ContentLength int64       // -1 when the length was not sent (a chunked body)
	Header        http.Header // the request's headers, without Authorization
	Status        int         // the status answered
}

// NextcloudOption changes how StartNextcloud sets up the server.
type NextcloudOption func(*nextcloudConfig)

type nextcloudConfig struct {
	basePath         string
	login, id, pass  string
	displayName      string
	infinityAsOne    bool
	emptyChunkedPUT  bool
	middleware       []func(http.Handler) http.Handler
	version, release string
	// Chunked upload, quota and clock; see nextcloud_props.go.
	quota         int64 // bytes; < 0 for no quota
	assemblyPolls int
	now           func() time.Time
	hashCost      int  // bcrypt cost of the login password, see nextcloud_auth.go
	noBulk        bool // no bulk upload endpoint, see nextcloud_bulk.go
	objectStore   bool // chunked uploads assembled without X-Hash answers
	noCron        bool // background jobs do not run, see WithoutBackgroundJobs

	// bulkStore stands between bulk upload and the disk: see WithBulkStoring.
	bulkStore func(path string, content []byte) ([]byte, error)
}

// WithBasePath serves Nextcloud below a path, as an installation in a
// subfolder of a web site is, e.g. WithBasePath("/nextcloud").
func WithBasePath(p string) NextcloudOption {
	return func(c *nextcloudConfig) {
		c.basePath = strings.TrimRight(path.Clean("/"+p), "/")
	}
}

// WithUser sets the user's login name, user id and password. The display
// name becomes the user id with its first letter in upper case.
func WithUser(login, id, password string) NextcloudOption {
	return func(c *nextcloudConfig) {
		c.login, c.id, c.pass = login, id, password
		c.displayName = id
		if id != "" {
			c.displayName = strings.ToUpper(id[:1]) + id[1:]
		}
	}
}

// WithDepthInfinityAsOne answers PROPFIND with Depth: infinity, or without a
// Depth header, as if Depth were 1, which is what real Nextcloud (Sabre)
// does. By default the server refuses those requests with 403 Forbidden, so
// a client that relies on an infinite listing fails loudly in tests.
func WithDepthInfinityAsOne() NextcloudOption {
	return func(c *nextcloudConfig) { c.infinityAsOne = true }
}

// WithEmptyChunkedPUT imitates Nextcloud behind PHP-FPM, which receives an
// empty body for a PUT sent without Content-Length (chunked) and stores a
// file of 0 bytes, answering success. By default such a PUT is refused with
// 411 Length Required.
func WithEmptyChunkedPUT() NextcloudOption {
	return func(c *nextcloudConfig) { c.emptyChunkedPUT = true }
}

// WithMiddleware wraps the server's handler, outermost last, so a test can
// inject faults (a 503 with Retry-After, a slow answer) in front of it.
// Requests are recorded outside every middleware.
func WithMiddleware(mw func(http.Handler) http.Handler) NextcloudOption {
	return func(c *nextcloudConfig) { c.middleware = append(c.middleware, mw) }
}

// StartNextcloud starts the Nextcloud imitation on 127.0.0.1 with an empty
// files folder.
func StartNextcloud(t testing.TB, opts ...NextcloudOption) *Nextcloud {
	t.Helper()
	cfg := nextcloudConfig{
		login:       "alice@example.com",
		id:          "alice",
		displayName: "Alice",
		pass:        randomPassword(t),
		version:     "30.0.2.2",
		release:     "30.0.2",
		quota:       -1,
		now:         time.Now,
		hashCost:    bcrypt.MinCost,
	}
	for _, o := range opts {
		o(&cfg)
	}
	n := &Nextcloud{
		LoginName:   cfg.login,
		UserID:      cfg.id,
		DisplayName: cfg.displayName,
		Password:    cfg.pass,
		Dir:         t.TempDir(),
		staging:     t.TempDir(),
		cfg:         cfg,
	}
	n.files = newFileState(n.Dir, randomInstanceID(t))
	auth, err := newSessionState(cfg.pass, cfg.hashCost)
	if err != nil {
		t.Fatalf("davtest: hash the password: %v", err)
	}
	n.auth = auth
	n.quota = &quotaState{limit: cfg.quota}
	n.BaseURL = serveHTTP(t, n.handler()) + cfg.basePath
	n.DAVURL = n.BaseURL + "/remote.php/dav/files/" + encodePath(n.UserID) + "/"
	n.WebDAVURL = n.BaseURL + "/remote.php/webdav/"
	return n
}

// handler answers every route, recording each request.
func (n *Nextcloud) handler() http.Handler {
	mux := http.NewServeMux()
	n.routes(mux)
	var h http.Handler = mux
	for _, mw := range n.cfg.middleware {
		h = mw(h)
	}
	return n.record(h)
}

// Requests answers the requests answered so far, oldest first. A request
// is recorded as its status is sent, before the client can see the answer,
// so a test may check Requests as soon as a call returns. It is safe to call
// while requests are being served.
func (n *Nextcloud) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Request(nil), n.requests...)
}

// record notes each request with the status it is answered with.
func (n *Nextcloud) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		h.Del("Authorization")
		req := Request{
			Method:        r.Method,
			Path:          r.URL.EscapedPath(),
			Depth:         r.Header.Get("Depth"),
			ContentLength: r.ContentLength,
			Header:        h,
		}
		rec := &statusRecorder{ResponseWriter: w, sent: func(status int) {
			req.Status = status
			n.mu.Lock()
			defer n.mu.Unlock()
			n.requests = append(n.requests, req)
		}}
		next.ServeHTTP(rec, r)
		rec.status(http.StatusOK) // a handler that wrote nothing answered 200
	})
}

// statusRecorder calls sent with the status once, as it is written.
type statusRecorder struct {
	http.ResponseWriter
	sent func(status int)
	once sync.Once
}

func (r *statusRecorder) status(code int) {
	r.once.Do(func() { r.sent(code) })
}

func (r *statusRecorder) WriteHeader(code int) {
	if code >= 200 { // 1xx answers are not the status
		r.status(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.status(http.StatusOK)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// WriteFile writes data to name, a slash-separated path in the user's files,
// creating its parent folders, and updates ETags as Nextcloud's scanner
// would (the file's and every ancestor's change).
func (n *Nextcloud) WriteFile(t testing.TB, name string, data []byte) {
	t.Helper()
	rel := cleanRel(name)
	n.MkdirAll(t, path.Dir(rel))
	if err := os.WriteFile(n.files.abs(rel), data, 0o644); err != nil {
		t.Fatalf("davtest: write %s: %v", name, err)
	}
	n.files.changed(rel)
}

// ReadFile reads name, a slash-separated path in the user's files.
func (n *Nextcloud) ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(n.files.abs(cleanRel(name)))
	if err != nil {
		t.Fatalf("davtest: read %s: %v", name, err)
	}
	return data
}

// MkdirAll creates the folder name, a slash-separated path in the user's
// files, and its parents, updating ETags as Nextcloud's scanner would.
func (n *Nextcloud) MkdirAll(t testing.TB, name string) {
	t.Helper()
	rel := cleanRel(name)
	if rel == "" {
		return
	}
	if err := os.MkdirAll(n.files.abs(rel), 0o755); err != nil {
		t.Fatalf("davtest: mkdir %s: %v", name, err)
	}
	n.files.changed(rel)
}

// Remove removes name, a file or folder in the user's files, updating
// ETags as Nextcloud's scanner would.
func (n *Nextcloud) Remove(t testing.TB, name string) {
	t.Helper()
	rel := cleanRel(name)
	if rel == "" {
		t.Fatalf("davtest: will not remove the user's home folder")
	}
	if err := os.RemoveAll(n.files.abs(rel)); err != nil {
		t.Fatalf("davtest: remove %s: %v", name, err)
	}
	n.files.removed(rel)
}

// ETag answers the ETag (without quotes) the server currently gives name, a
// slash-separated path in the user's files, so a test can check it changes.
func (n *Nextcloud) ETag(t testing.TB, name string) string {
	t.Helper()
	info, err := n.files.stat(cleanRel(name))
	if err != nil {
		t.Fatalf("davtest: %v", err)
	}
	return info.etag
}

// cleanRel answers a slash-separated path relative to the user's home,
// without leading or trailing slashes, that cannot leave it, in NFC as
// Nextcloud stores names; "" is the home.
func cleanRel(name string) string {
	return nfc(strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(name)), "/"))
}

// Server answers the Nextcloud user's files as a plain WebDAV Server (the
// DAV endpoint with the login name), so suites written for any WebDAV
// server run against Nextcloud too.
func (n *Nextcloud) Server() *Server {
	return &Server{URL: n.DAVURL, Username: n.LoginName, Password: n.Password, Dir: n.Dir}
}
