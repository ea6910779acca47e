package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// AccountStore keeps accounts in the accounts table.
type AccountStore struct {
	db *DB
}

var _ ports.AccountStore = (*AccountStore)(nil)

// NewAccountStore returns an AccountStore on db.
func NewAccountStore(db *DB) *AccountStore {
	return &AccountStore{db: db}
}

// accountColumns are the columns written from an Account, in the order of
// accountValues. The ID is the table's own.
var accountColumns = []string{
	"name", "url", "type", "username", "user_id", "secret", "ca_cert", "timeout_ms", "retry_limit",
	"upload_enabled", "upload_folder", "upload_size",
	"sync_enabled", "sync_folder", "sync_interval_s", "sync_download", "sync_upload",
	"sync_preserve_names", "sync_raw", "sync_video",
	"status", "last_sync_at", "last_error", "error_count",
	"created_at", "updated_at",
}

var (
	selectAccount = `SELECT id, ` + strings.Join(accountColumns, ", ") + ` FROM accounts`
	insertAccount = `INSERT INTO accounts (` + strings.Join(accountColumns, ", ") + `) VALUES (` +
		params(1, len(accountColumns)) + `) RETURNING id`
	updateAccount = `UPDATE accounts SET (` + strings.Join(accountColumns, ", ") + `) = ROW (` +
		params(1, len(accountColumns)) + `) WHERE id = $` + strconv.Itoa(len(accountColumns)+1)
)

// accountValues returns the values of a for accountColumns.
func accountValues(a *domain.Account) ([]any, error) {
	lastSync, err := timeValue(a.LastSyncAt)
	if err != nil {
		return nil, fmt.Errorf("last_sync_at: %w", err)
	}
	created, err := timeValue(a.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("created_at: %w", err)
	}
	updated, err := timeValue(a.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("updated_at: %w", err)
	}
	var secret []byte
	if len(a.Secret) > 0 {
		secret = a.Secret
	}
	return []any{
		a.Name, a.URL, string(a.Type), a.Username, a.UserID, secret, a.CACert, a.Timeout.Milliseconds(), a.RetryLimit,
		a.UploadEnabled, a.UploadFolder, a.UploadSize,
		a.SyncEnabled, a.SyncFolder, int64(a.SyncInterval / time.Second), a.SyncDownload, a.SyncUpload,
		a.SyncPreserveNames, a.SyncRaw, a.SyncVideo,
		string(a.Status), lastSync, a.LastError, a.ErrorCount,
		created, updated,
	}, nil
}

// scanAccount reads a row of selectAccount.
func scanAccount(row interface{ Scan(...any) error }) (domain.Account, error) {
	var (
		a                          domain.Account
		typ, status                string
		timeoutMS, intervalS       int64
		lastSync, created, updated sql.NullInt64
	)
	err := row.Scan(&a.ID,
		&a.Name, &a.URL, &typ, &a.Username, &a.UserID, &a.Secret, &a.CACert, &timeoutMS, &a.RetryLimit,
		&a.UploadEnabled, &a.UploadFolder, &a.UploadSize,
		&a.SyncEnabled, &a.SyncFolder, &intervalS, &a.SyncDownload, &a.SyncUpload,
		&a.SyncPreserveNames, &a.SyncRaw, &a.SyncVideo,
		&status, &lastSync, &a.LastError, &a.ErrorCount,
		&created, &updated)
	if err != nil {
		return domain.Account{}, err
	}
	a.Type = domain.AccountType(typ)
	a.Status = domain.AccountStatus(status)
	a.Timeout = time.Duration(timeoutMS) * time.Millisecond
	a.SyncInterval = time.Duration(intervalS) * time.Second
	a.LastSyncAt = timeOf(lastSync)
	a.CreatedAt = timeOf(created)
	a.UpdatedAt = timeOf(updated)
	return a, nil
}

// CreateAccount stores a new account and sets its ID, CreatedAt and
// UpdatedAt. ECONFLICT when an account with the same name exists.
func (s *AccountStore) CreateAccount(ctx context.Context, a *domain.Account) error {
	created := *a
	created.CreatedAt = now()
	created.UpdatedAt = created.CreatedAt
	values, err := accountValues(&created)
	if err != nil {
		return fmt.Errorf("postgres: create account: %w", err)
	}
	var id int64
	err = s.db.db.QueryRowContext(ctx, insertAccount, values...).Scan(&id)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "an account named %q exists already", a.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: create account: %w", err)
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id, created.CreatedAt, created.UpdatedAt
	return nil
}

// Account returns one account. ENOTFOUND when there is none.
func (s *AccountStore) Account(ctx context.Context, id int64) (domain.Account, error) {
	return account(ctx, s.db.db, id, "")
}

// account reads one account; lock "FOR UPDATE" holds its row until the end
// of the transaction q.
func account(ctx context.Context, q querier, id int64, lock string) (domain.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, selectAccount+` WHERE id = $1 `+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Account{}, domain.Errorf(domain.ENOTFOUND, "account %d not found", id)
	}
	if err != nil {
		return domain.Account{}, fmt.Errorf("postgres: get account %d: %w", id, err)
	}
	return a, nil
}

// Accounts returns all accounts ordered by ID.
func (s *AccountStore) Accounts(ctx context.Context) ([]domain.Account, error) {
	rows, err := s.db.db.QueryContext(ctx, selectAccount+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list accounts: %w", err)
	}
	defer rows.Close()
	list := []domain.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list accounts: %w", err)
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list accounts: %w", err)
	}
	return list, nil
}

// UpdateAccount reads an account, lets fn change it and stores the result
// in one transaction, which locks the account's row (SELECT ... FOR
// UPDATE) so that an update from another process waits for this one
// rather than overwriting it: fn must not wait for anything slow, such as
// a remote server. An error from fn aborts
// the update and is returned as is. fn cannot change ID or CreatedAt;
// UpdatedAt is set to the time of the update, always later than before.
// ENOTFOUND when there is no such account; ECONFLICT when the new name is
// taken.
func (s *AccountStore) UpdateAccount(ctx context.Context, id int64, fn func(*domain.Account) error) (domain.Account, error) {
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return domain.Account{}, fmt.Errorf("postgres: update account %d: %w", id, err)
	}
	defer tx.Rollback()

	old, err := account(ctx, tx, id, "FOR UPDATE")
	if err != nil {
		return domain.Account{}, err
	}
	a := old
	if err := fn(&a); err != nil {
		return domain.Account{}, err
	}
	a.ID, a.CreatedAt = old.ID, old.CreatedAt
	a.UpdatedAt = now()
	if !a.UpdatedAt.After(old.UpdatedAt) {
		// The clock stood still or went back: UpdatedAt still advances.
		a.UpdatedAt = old.UpdatedAt.Add(time.Nanosecond)
	}
	values, err := accountValues(&a)
	if err != nil {
		return domain.Account{}, fmt.Errorf("postgres: update account %d: %w", id, err)
	}
	_, err = tx.ExecContext(ctx, updateAccount, append(values, id)...)
	if isUniqueViolation(err) {
		return domain.Account{}, domain.Errorf(domain.ECONFLICT, "an account named %q exists already", a.Name)
	}
	if err != nil {
		return domain.Account{}, fmt.Errorf("postgres: update account %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return domain.Account{}, fmt.Errorf("postgres: update account %d: %w", id, err)
	}
	return a, nil
}

// DeleteAccount removes an account. ENOTFOUND when there is none.
func (s *AccountStore) DeleteAccount(ctx context.Context, id int64) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM accounts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete account %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("postgres: delete account %d: %w", id, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "account %d not found", id)
	}
	return nil
}
