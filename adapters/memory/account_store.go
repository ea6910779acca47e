package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// AccountStore keeps accounts in a map.
type AccountStore struct {
	clock ports.Clock

	mu       sync.Mutex
	nextID   int64
	accounts map[int64]domain.Account
}

var _ ports.AccountStore = (*AccountStore)(nil)

// NewAccountStore returns an empty store that stamps times from clock.
func NewAccountStore(clock ports.Clock) *AccountStore {
	return &AccountStore{clock: clock, accounts: map[int64]domain.Account{}}
}

// CreateAccount stores a copy of a and sets its ID and times.
func (s *AccountStore) CreateAccount(ctx context.Context, a *domain.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.nameFree(a.Name, 0); err != nil {
		return err
	}
	s.nextID++
	now := s.clock.Now().UTC()
	a.ID, a.CreatedAt, a.UpdatedAt = s.nextID, now, now
	s.accounts[a.ID] = clone(*a)
	return nil
}

// Account returns a copy of one account.
func (s *AccountStore) Account(ctx context.Context, id int64) (domain.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return domain.Account{}, notFound(id)
	}
	return clone(a), nil
}

// Accounts returns copies of all accounts ordered by ID.
func (s *AccountStore) Accounts(ctx context.Context) ([]domain.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Account, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, clone(a))
	}
	slices.SortFunc(out, func(a, b domain.Account) int { return int(a.ID - b.ID) })
	return out, nil
}

// UpdateAccount changes an account under the store's lock.
func (s *AccountStore) UpdateAccount(ctx context.Context, id int64, fn func(*domain.Account) error) (domain.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.accounts[id]
	if !ok {
		return domain.Account{}, notFound(id)
	}
	a := clone(cur)
	if err := fn(&a); err != nil {
		return domain.Account{}, err
	}
	if err := s.nameFree(a.Name, id); err != nil {
		return domain.Account{}, err
	}
	a.ID, a.CreatedAt = id, cur.CreatedAt
	a.UpdatedAt = s.clock.Now().UTC()
	if !a.UpdatedAt.After(cur.UpdatedAt) {
		a.UpdatedAt = cur.UpdatedAt.Add(1)
	}
	s.accounts[id] = clone(a)
	return a, nil
}

// DeleteAccount removes an account.
func (s *AccountStore) DeleteAccount(ctx context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[id]; !ok {
		return notFound(id)
	}
	delete(s.accounts, id)
	return nil
}

func (s *AccountStore) nameFree(name string, self int64) error {
	for id, a := range s.accounts {
		if id != self && a.Name == name {
			return domain.Errorf(domain.ECONFLICT, "an account named %q exists already", name)
		}
	}
	return nil
}

func notFound(id int64) error {
	return domain.Errorf(domain.ENOTFOUND, "account %d not found", id)
}

func clone(a domain.Account) domain.Account {
	a.Secret = slices.Clone(a.Secret)
	return a
}
