package memory

import (
	"context"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Connector connects to in-memory servers registered under a URL, checking
// user name and password like a real server would.
type Connector struct {
	mu      sync.Mutex
	servers map[string]registered // by normalised endpoint URL
}

type registered struct {
	srv                *Server
	typ                domain.AccountType
	username, password string
}

var _ ports.Connector = (*Connector)(nil)

// NewConnector returns a connector that knows no server yet.
func NewConnector() *Connector { return &Connector{servers: map[string]registered{}} }

// Register makes srv reachable at url with the given credentials.
func (c *Connector) Register(url string, typ domain.AccountType, username, password string, srv *Server) {
	u, err := domain.NormalizeURL(url)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.servers[u] = registered{srv: srv, typ: typ, username: username, password: password}
}

func (c *Connector) lookup(creds domain.Credentials) (registered, string, error) {
	u, err := domain.NormalizeURL(creds.URL)
	if err != nil {
		return registered{}, "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.servers[u]
	if !ok {
		return registered{}, "", domain.RemoteErrorf(domain.EUNAVAILABLE, "connection to %s refused", u)
	}
	return r, u, nil
}

// Discover checks the credentials against a registered server.
func (c *Connector) Discover(ctx context.Context, creds domain.Credentials) (domain.Discovery, error) {
	if err := ctx.Err(); err != nil {
		return domain.Discovery{}, err
	}
	r, u, err := c.lookup(creds)
	if err != nil {
		return domain.Discovery{}, err
	}
	if creds.Username != r.username || creds.Password != r.password {
		return domain.Discovery{}, domain.RemoteErrorf(domain.EUNAUTHORIZED, "the server rejected the user name or password for user %q", creds.Username)
	}
	d := domain.Discovery{Type: r.typ, Endpoint: u}
	if r.typ == domain.TypeNextcloud {
		d.UserID = r.username
	}
	return d, nil
}

// Open returns storage on the server registered at creds.URL. Like a real
// server, a wrong password only shows on the first request.
func (c *Connector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	r, _, err := c.lookup(creds)
	if err != nil {
		return nil, err
	}
	if creds.Username != r.username || creds.Password != r.password {
		return denied{creds.Username}, nil
	}
	return NewRemote(r.srv), nil
}
