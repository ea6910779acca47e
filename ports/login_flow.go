package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// LoginFlowClient runs the server's side of Nextcloud Login Flow v2: the
// person signs in on their Nextcloud in a browser and grants photosync
// access, and Nextcloud hands photosync an app password. The person's own
// password never reaches photosync.
type LoginFlowClient interface {
	// StartLoginFlow asks the Nextcloud at creds.URL (its address, or any
	// of its WebDAV URLs) to start a sign-in; only the URL, the CA
	// certificates and the timeout of creds are used, and the request is
	// anonymous. Errors have Remote set: EINVALID when the server is not a
	// Nextcloud (or answers the start in a way Nextcloud does not),
	// EUNAVAILABLE when it cannot be reached or is in maintenance, and
	// the TLS errors of Connector.Discover.
	StartLoginFlow(ctx context.Context, creds domain.Credentials) (domain.LoginFlowStart, error)
	// PollLoginFlow asks whether the person has granted access yet: false
	// while they have not (Nextcloud answers 404), true with the grant
	// once they have. Nextcloud hands the grant over once only. creds
	// gives the CA certificates and the timeout. Errors as StartLoginFlow.
	PollLoginFlow(ctx context.Context, creds domain.Credentials, start domain.LoginFlowStart) (domain.LoginGrant, bool, error)
}

// AppPasswordRevoker is an optional capability of a RemoteStorage (find it
// with a type assertion): the storage can ask its server to revoke the app
// password it signs in with, as Nextcloud clients do when an account is
// removed.
type AppPasswordRevoker interface {
	// RevokeAppPassword revokes the app password the storage signs in
	// with. It answers false, nil when the storage signs in with a
	// password that is not an app password (Nextcloud answers 403), so
	// there was nothing to revoke. Errors as RemoteStorage's; EUNAUTHORIZED
	// when the server no longer accepts the password (revoked already).
	RevokeAppPassword(ctx context.Context) (bool, error)
}
