package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ProofStore keeps proofs of content in a map. A refused batch changes
// nothing.
type ProofStore struct {
	mu     sync.Mutex
	proofs map[int64]map[string]domain.Proof
}

var _ ports.ProofStore = (*ProofStore)(nil)

// NewProofStore returns an empty store.
func NewProofStore() *ProofStore {
	return &ProofStore{proofs: map[int64]map[string]domain.Proof{}}
}

// Proofs returns an account's proofs ordered by remote path.
func (s *ProofStore) Proofs(_ context.Context, accountID int64) ([]domain.Proof, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Proof
	for _, p := range s.proofs[accountID] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.Proof) int { return cmp.Compare(a.RemotePath, b.RemotePath) })
	return out, nil
}

// SaveProofs upserts and removes proofs of one account.
func (s *ProofStore) SaveProofs(_ context.Context, accountID int64, upsert []domain.Proof, remove []string) error {
	for i := range upsert {
		if upsert[i].AccountID == 0 {
			upsert[i].AccountID = accountID
		}
		if upsert[i].AccountID != accountID {
			return domain.Errorf(domain.EINVALID, "proof of %s belongs to account %d, not %d", upsert[i].RemotePath, upsert[i].AccountID, accountID)
		}
		if err := upsert[i].Validate(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.proofs[accountID]
	if m == nil {
		m = map[string]domain.Proof{}
		s.proofs[accountID] = m
	}
	for _, p := range remove {
		delete(m, p)
	}
	for _, p := range upsert {
		p.ProvenAt, p.CheckedAt = utcOrZero(p.ProvenAt), utcOrZero(p.CheckedAt)
		m[p.RemotePath] = p
	}
	return nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
