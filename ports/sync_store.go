package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// SyncStore keeps the state of each account's sync: pairs, remembered
// folder listings, failures and runs. Writes of many rows go in one
// transaction.
type SyncStore interface {
	// Pairs returns an account's pairs.
	Pairs(ctx context.Context, accountID int64) ([]domain.SyncPair, error)
	// SavePairs upserts pairs by (account, remote path) and deletes the
	// pairs at the given remote paths, in one transaction.
	SavePairs(ctx context.Context, accountID int64, upsert []domain.SyncPair, remove []string) error

	// Folders returns the remote folders remembered for an account.
	Folders(ctx context.Context, accountID int64) ([]domain.RemoteFolder, error)
	// ReplaceFolders replaces an account's remembered folders with the
	// listing of a complete run, in one transaction.
	ReplaceFolders(ctx context.Context, accountID int64, folders []domain.RemoteFolder) error
	// UpdateFolders changes an account's remembered folders in one
	// transaction: each folder of put replaces the one at its path (ETag
	// and entries) or is added; each folder of retag gives its ETag to the
	// remembered folder at its path, whose entries stay (its own are not
	// looked at; a path not remembered is passed over); each path of drop
	// is forgotten with its entries (a path that is not there is no
	// error); the others stay as they are: what a run writes when it found
	// few folders changed. EINVALID as for ReplaceFolders, and for a path
	// given twice among put, retag and drop.
	UpdateFolders(ctx context.Context, accountID int64, put, retag []domain.RemoteFolder, drop []string) error

	// Failures returns an account's failures; failedOnly keeps those that
	// reached the retry limit.
	Failures(ctx context.Context, accountID int64, failedOnly bool) ([]domain.SyncFailure, error)
	// SaveFailures upserts failures by (account, direction, local path,
	// remote path) and clears those given in clear, in one transaction.
	SaveFailures(ctx context.Context, accountID int64, upsert, clear []domain.SyncFailure) error

	// CreateRun stores a new run and sets its ID.
	CreateRun(ctx context.Context, r *domain.SyncRun) error
	// UpdateRun replaces a stored run. ENOTFOUND.
	UpdateRun(ctx context.Context, r domain.SyncRun) error
	// Runs returns an account's most recent runs, newest first.
	Runs(ctx context.Context, accountID int64, limit int) ([]domain.SyncRun, error)
}
