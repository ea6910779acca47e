package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// ProofStore keeps, per account and remote path, what is proven of the
// content on the server (domain.Proof): when and how it was last proven,
// and what the last verify found wrong. The backup status is computed
// from it with the sync pairs, failures, uploads and the library index.
type ProofStore interface {
	// Proofs returns an account's proofs ordered by remote path.
	Proofs(ctx context.Context, accountID int64) ([]domain.Proof, error)
	// SaveProofs upserts proofs by (account, remote path) and deletes the
	// proofs at the remote paths of remove, in one transaction. A proof
	// with AccountID 0 is taken for accountID's. EINVALID for a proof that
	// does not validate or belongs to another account (nothing is saved);
	// ENOTFOUND when the account does not exist.
	SaveProofs(ctx context.Context, accountID int64, upsert []domain.Proof, remove []string) error
}
