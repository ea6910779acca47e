package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// AccountStore keeps accounts.
type AccountStore interface {
	// CreateAccount stores a new account and sets its ID, CreatedAt and
	// UpdatedAt. ECONFLICT when an account with the same name exists.
	CreateAccount(ctx context.Context, a *domain.Account) error
	// Account returns one account. ENOTFOUND when there is none.
	Account(ctx context.Context, id int64) (domain.Account, error)
	// Accounts returns all accounts ordered by ID.
	Accounts(ctx context.Context) ([]domain.Account, error)
	// UpdateAccount reads an account, lets fn change it and stores the result
	// atomically; an error from fn aborts the update and is returned as is.
	// It sets UpdatedAt. ENOTFOUND when there is no such account; ECONFLICT
	// when the new name is taken.
	UpdateAccount(ctx context.Context, id int64, fn func(*domain.Account) error) (domain.Account, error)
	// DeleteAccount removes an account. ENOTFOUND when there is none.
	DeleteAccount(ctx context.Context, id int64) error
}
