// Package webdav connects photosync to Nextcloud and other WebDAV servers:
// Connector recognises a server and opens its storage, Client is one
// account's files. It uses github.com/studio-b12/gowebdav for MKCOL, GET
// and DELETE, and net/http for PROPFIND (its own streaming parser, which
// asks for Nextcloud's checksums), uploads (with Nextcloud's chunked
// upload v2 for large files) and Nextcloud's own endpoints. Every error is a *domain.Error with Remote set
// and a message that names the cause, except that a cancelled context is
// passed on (wrapped) as it is.
package webdav

import (
	"log/slog"
	"net/url"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.Connector = (*Connector)(nil)

// Connector recognises WebDAV servers and opens their storage. It keeps the
// connection pools that the clients it opens share, so make one per
// process. It is safe for concurrent use.
type Connector struct {
	logger     *slog.Logger
	opts       Options
	transports transportCache
}

// NewConnector returns a Connector that logs requests at debug level and
// skipped listing entries as warnings to logger (nil logs nothing). Logs
// never hold a password.
func NewConnector(logger *slog.Logger) *Connector {
	return NewConnectorWithOptions(logger, Options{})
}

// NewConnectorWithOptions is NewConnector with settings other than the
// defaults; see Options.
func NewConnectorWithOptions(logger *slog.Logger, opts Options) *Connector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Connector{logger: logger, opts: opts.normalized()}
}

// Open returns the storage behind a discovered endpoint: creds.URL is the
// endpoint, typ what Discover found. It does not contact the server.
// EINVALID for a bad URL, type or CA certificate.
func (c *Connector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	return c.Client(creds, typ)
}

// Client is Open with the concrete type, for callers that need more than
// ports.RemoteStorage.
func (c *Connector) Client(creds domain.Credentials, typ domain.AccountType) (*Client, error) {
	if typ != domain.TypeWebDAV && typ != domain.TypeNextcloud {
		return nil, domain.Errorf(domain.EINVALID, "type: must be webdav or nextcloud, not %q", typ)
	}
	endpoint, err := parseURL(creds.URL)
	if err != nil {
		return nil, err
	}
	return c.newClient(endpoint, creds, typ)
}

// CloseIdleConnections closes the idle connections of every pool, for a
// clean shutdown.
func (c *Connector) CloseIdleConnections() { c.transports.closeIdle() }

func (c *Connector) newClient(endpoint *url.URL, creds domain.Credentials, typ domain.AccountType) (*Client, error) {
	timeout := timeoutOf(creds)
	tr, err := c.transports.get(creds.CACert, timeout)
	if err != nil {
		return nil, err
	}
	return &Client{
		endpoint:  endpoint,
		typ:       typ,
		user:      creds.Username,
		pass:      creds.Password,
		timeout:   timeout,
		transport: tr,
		logger:    c.logger,
		opts:      c.opts,
		jar:       newSessionJar(),
	}, nil
}

// timeoutOf is the account's timeout, or the default one when it has none.
func timeoutOf(creds domain.Credentials) time.Duration {
	if creds.Timeout <= 0 {
		return domain.DefaultTimeout
	}
	return creds.Timeout
}

// parseURL normalises a server URL (domain.NormalizeURL) and parses it.
func parseURL(raw string) (*url.URL, error) {
	s, err := domain.NormalizeURL(raw)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(s)
	if err != nil { // NormalizeURL parsed it already
		return nil, domain.Errorf(domain.EINVALID, "the server URL %q is not a valid URL", raw)
	}
	return u, nil
}
