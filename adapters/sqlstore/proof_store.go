package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ProofStore keeps proofs of backup in the proofs table.
type ProofStore struct {
	db *DB
}

var _ ports.ProofStore = (*ProofStore)(nil)

// NewProofStore returns a ProofStore on db.
func NewProofStore(db *DB) *ProofStore { return &ProofStore{db: db} }

const upsertProof = `INSERT INTO proofs (account_id, remote_path, size, sha1, method, proven_at, checked_at, problem)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id, remote_path) DO UPDATE SET size = excluded.size, sha1 = excluded.sha1,
	method = excluded.method, proven_at = excluded.proven_at, checked_at = excluded.checked_at, problem = excluded.problem`

// Proofs returns an account's proofs ordered by remote path.
func (s *ProofStore) Proofs(ctx context.Context, accountID int64) ([]domain.Proof, error) {
	out, err := queryAll(ctx, s.db, s.db.db, fmt.Sprintf("proofs of account %d", accountID), func(row scanner) (domain.Proof, error) {
		var p domain.Proof
		var method string
		var proven, checked sql.NullInt64
		err := row.Scan(&p.AccountID, &p.RemotePath, &p.Size, &p.SHA1, &method, &proven, &checked, &p.Problem)
		p.Method, p.ProvenAt, p.CheckedAt = domain.ProofMethod(method), timeOf(proven), timeOf(checked)
		return p, err
	}, `SELECT account_id, remote_path, size, sha1, method, proven_at, checked_at, problem
		FROM proofs WHERE account_id = ? ORDER BY remote_path`, accountID)
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}

// SaveProofs deletes the proofs at the paths of remove, then upserts
// those of upsert, in one transaction.
func (s *ProofStore) SaveProofs(ctx context.Context, accountID int64, upsert []domain.Proof, remove []string) error {
	rows := make([][]any, 0, len(upsert))
	for _, p := range upsert {
		if p.AccountID == 0 {
			p.AccountID = accountID
		}
		if p.AccountID != accountID {
			return domain.Errorf(domain.EINVALID, "proof of %s belongs to account %d, not %d", p.RemotePath, p.AccountID, accountID)
		}
		if err := p.Validate(); err != nil {
			return err
		}
		times, err := timeValues([]string{"proven_at", "checked_at"}, p.ProvenAt, p.CheckedAt)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "proof of %s: %v", p.RemotePath, err)
		}
		rows = append(rows, []any{accountID, p.RemotePath, p.Size, p.SHA1, string(p.Method), times[0], times[1], p.Problem})
	}
	removeRows := make([][]any, 0, len(remove))
	for _, p := range remove {
		removeRows = append(removeRows, []any{accountID, p})
	}
	sync := &SyncStore{db: s.db} // its batch: one transaction, one statement per step
	return sync.batch(ctx, fmt.Sprintf("save proofs of account %d", accountID), accountID,
		batchStep{`DELETE FROM proofs WHERE account_id = ? AND remote_path = ?`, removeRows},
		batchStep{upsertProof, rows},
	)
}
