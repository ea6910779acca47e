package webdav

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/studio-b12/gowebdav"

	"github.com/photosync/photosync/domain"
)

// maxTransports bounds the transports a Connector keeps: one per distinct
// (CA certificates, timeout) pair, so a few in practice.
const maxTransports = 32

// maxListingBody bounds a PROPFIND answer. A Depth 1 listing of a folder
// with 100,000 photos is well below it; a hostile server that streams
// forever is stopped. A variable only so that a test can lower it.
var maxListingBody int64 = 256 << 20

// transportKey identifies the settings a transport is made from.
type transportKey struct {
	ca      [sha256.Size]byte
	timeout time.Duration
}

// transportCache hands out one *http.Transport per (CA certificates,
// timeout) pair, so that every operation on an account, and accounts with
// the same settings, share a pool of connections.
type transportCache struct {
	mu sync.Mutex
	m  map[transportKey]*http.Transport
}

// get returns the transport for the given settings, making it on first use.
// EINVALID when caPEM holds no certificate.
func (c *transportCache) get(caPEM string, timeout time.Duration) (*http.Transport, error) {
	key := transportKey{ca: sha256.Sum256([]byte(caPEM)), timeout: timeout}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[key]; ok {
		return t, nil
	}
	t, err := newTransport(caPEM, timeout)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[transportKey]*http.Transport)
	}
	if len(c.m) >= maxTransports {
		for k, old := range c.m { // drop any one; its users keep working
			old.CloseIdleConnections()
			delete(c.m, k)
			break
		}
	}
	c.m[key] = t
	return t, nil
}

// closeIdle closes the idle connections of every transport.
func (c *transportCache) closeIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.m {
		t.CloseIdleConnections()
	}
}

// newTransport returns a transport whose every step before the answer
// starts (dial, TLS handshake, waiting for the headers) is bounded by
// timeout. Nothing bounds a whole exchange, because uploading or
// downloading a video can rightly take much longer; the operation's context
// stops those.
func newTransport(caPEM string, timeout time.Duration) (*http.Transport, error) {
	cfg, err := tlsConfig(caPEM)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       cfg,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		// Photos are compressed already, and a transparently decompressed
		// download would lose its Content-Length, which is how a truncated
		// download is recognised.
		DisableCompression: true,
	}, nil
}

// tlsConfig trusts the system's roots plus the account's own CA
// certificates, so that a self-signed home server can be added without
// turning verification off.
func tlsConfig(caPEM string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if strings.TrimSpace(caPEM) == "" {
		return cfg, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return nil, &domain.Error{Code: domain.EINVALID, Message: "ca_cert: no PEM certificate found", Remote: true}
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// errOtherHost is a refused request to a host other than the account's.
type errOtherHost struct{ url string }

func (e *errOtherHost) Error() string {
	return "refusing to send credentials to " + e.url + ", which is not the account's server"
}

// errTooLarge is an answer larger than photosync reads.
var errTooLarge = errors.New("the answer is larger than photosync reads")

// exchange is the http.RoundTripper of one operation, over a shared
// transport. gowebdav has no context API, so a gowebdav client is made per
// operation with an exchange that gives every request the operation's
// context: cancelling it aborts the request.
//
// It also keeps the account's credentials on the account's server: a
// request to another host, or from https down to http, is refused. And it
// remembers the last answer and the first failure of the transport or of
// reading an answer, because gowebdav drops some of them (DELETE reports
// any failure as a 400, and a PROPFIND answer cut short reads as a short
// listing).
type exchange struct {
	ctx    context.Context
	next   http.RoundTripper
	origin *url.URL
	// pin sends every request to origin whatever its URL says; see
	// Client.dav.
	pin    bool
	logger *slog.Logger
	// idle ends a request when no byte moved for so long (see
	// watchdog); 0 for never.
	idle time.Duration
	// jar keeps the account's session cookies; nil for none.
	jar *sessionJar

	last *http.Response
	err  error
}

// RoundTrip sends req with the operation's context.
func (x *exchange) RoundTrip(req *http.Request) (*http.Response, error) {
	wd, ctx := newWatchdog(x.ctx, x.idle)
	r := req.WithContext(ctx)
	if wd != nil && r.Body != nil && r.Body != http.NoBody {
		r.Body = &watchedBody{rc: r.Body, wd: wd}
	}
	r.Header = req.Header.Clone()
	r.Header.Del(gowebdav.XInhibitRedirect) // for gowebdav, not the server
	if r.Method == "PROPFIND" && (r.Body == nil || r.Body == http.NoBody || r.GetBody != nil) {
		// A listing changes nothing: marked idempotent (the empty key is
		// not sent), it is sent again on a new connection when the server
		// closed the kept-alive one it went out on just then, as Go does
		// for a GET. Apache closes one after 100 requests (its
		// MaxKeepAliveRequests) or 5 s idle: a failed listing and the
		// wait before trying again otherwise.
		r.Header["Idempotency-Key"] = nil
	}
	if x.pin {
		u := *r.URL
		u.Scheme, u.Host = x.origin.Scheme, x.origin.Host
		r.URL, r.Host = &u, ""
		// gowebdav's MOVE and COPY name the destination under the
		// placeholder origin too; a server that checks the destination's
		// host (x/net/webdav, rclone) refuses it with 502.
		if d := r.Header.Get("Destination"); strings.HasPrefix(d, davOrigin+"/") {
			r.Header.Set("Destination", x.origin.Scheme+"://"+x.origin.Host+strings.TrimPrefix(d, davOrigin))
		}
	} else if !sameServer(x.origin, r.URL) {
		if req.Body != nil {
			req.Body.Close()
		}
		wd.release()
		err := &errOtherHost{url: r.URL.Redacted()}
		x.note(err)
		return nil, err
	}
	start := time.Now()
	resp, err := x.jar.send(x.next, r)
	wd.disarm()
	if err != nil {
		err = wd.err(err)
		wd.release()
		x.note(err)
		x.logger.LogAttrs(x.ctx, slog.LevelDebug, "webdav request failed",
			slog.String("method", r.Method), slog.String("url", r.URL.Redacted()),
			slog.Duration("duration", time.Since(start)), slog.String("error", err.Error()))
		return nil, err
	}
	x.logger.LogAttrs(x.ctx, slog.LevelDebug, "webdav request",
		slog.String("method", r.Method), slog.String("url", r.URL.Redacted()),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(start)))
	x.last = resp
	var limit int64
	if r.Method == "PROPFIND" {
		limit = maxListingBody
	}
	resp.Body = &trackedBody{rc: resp.Body, x: x, limit: limit, wd: wd}
	return resp, nil
}

// note keeps the first failure.
func (x *exchange) note(err error) {
	if x.err == nil {
		x.err = err
	}
}

// status is the status of the last answer, 0 when there was none.
func (x *exchange) status() int {
	if x.last == nil {
		return 0
	}
	return x.last.StatusCode
}

// header is the header of the last answer, nil when there was none.
func (x *exchange) header() http.Header {
	if x.last == nil {
		return nil
	}
	return x.last.Header
}

// sameServer reports whether u may receive the credentials meant for
// origin: the same host name, and https when origin is https.
func sameServer(origin, u *url.URL) bool {
	if !strings.EqualFold(origin.Hostname(), u.Hostname()) {
		return false
	}
	return origin.Scheme != "https" || u.Scheme == "https"
}

// trackedBody is an answer's body that tells its exchange how reading it
// failed, and stops at limit bytes when limit > 0.
type trackedBody struct {
	rc    io.ReadCloser
	x     *exchange
	limit int64
	n     int64
	wd    *watchdog // armed while a read waits for the server
}

func (b *trackedBody) Read(p []byte) (int, error) {
	if b.limit > 0 {
		if b.n >= b.limit {
			b.x.note(errTooLarge)
			return 0, errTooLarge
		}
		if rest := b.limit - b.n; int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	b.wd.arm()
	n, err := b.rc.Read(p)
	b.wd.disarm()
	b.n += int64(n)
	if err != nil && err != io.EOF {
		err = b.wd.err(err)
		b.x.note(err)
	}
	return n, err
}

func (b *trackedBody) Close() error {
	err := b.rc.Close()
	b.wd.release()
	return err
}

// noRedirect is a CheckRedirect that hands a redirect back to the caller.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// sameServerRedirects follows up to 5 redirects, all of them on the
// account's server (the exchange refuses any other).
func sameServerRedirects(_ *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("stopped after %d redirects", len(via))
	}
	return nil
}
