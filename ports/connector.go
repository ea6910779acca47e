package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// Connector finds out what a server is and opens its storage.
type Connector interface {
	// Discover checks credentials against a server: Nextcloud is recognised
	// and its endpoint derived from any of its URLs; other servers must answer
	// PROPFIND Depth 0 with 207. Errors have Remote set and a message naming
	// the cause: EUNAUTHORIZED (user name or password), EFORBIDDEN,
	// ENOTFOUND, EINVALID (not a WebDAV server, untrusted TLS certificate,
	// bad CA certificate), EUNAVAILABLE (refused, unknown host, timeout).
	Discover(ctx context.Context, creds domain.Credentials) (domain.Discovery, error)
	// Open returns the storage behind a discovered endpoint; creds.URL is the
	// endpoint. It does not contact the server. EINVALID for a bad CA
	// certificate.
	Open(creds domain.Credentials, typ domain.AccountType) (RemoteStorage, error)
}
