package sqlstore

import (
	"context"
	"database/sql"
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
	"sync_preserve_names", "sync_raw", "sync_video", "sync_on_change",
	"status", "last_sync_at", "last_error", "error_count",
	"created_at", "updated_at",
}

var (
	selectAccount = `SELECT id, ` + strings.Join(accountColumns, ", ") + ` FROM accounts`
	insertAccount = `INSERT INTO accounts (` + strings.Join(accountColumns, ", ") + `) VALUES (` +
		placeholders(len(accountColumns)) + `) RETURNING id`
	updateAccount = `UPDATE accounts SET (` + strings.Join(accountColumns, ", ") + `) = (` +
		placeholders(len(accountColumns)) + `) WHERE id = ?`
)

// accountValues returns the values of a for accountColumns.
func accountValues(a *domain.Account) ([]any, error) {
	times, err := timeValues([]string{"last_sync_at", "created_at", "updated_at"}, a.LastSyncAt, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	var secret []byte
	if len(a.Secret) > 0 {
		secret = a.Secret
	}
	return []any{
		a.Name, a.URL, string(a.Type), a.Username, a.UserID, secret, a.CACert, a.Timeout.Milliseconds(), a.RetryLimit,
		a.UploadEnabled, a.UploadFolder, a.UploadSize,
		a.SyncEnabled, a.SyncFolder, int64(a.SyncInterval / time.Second), a.SyncDownload, a.SyncUpload,
		a.SyncPreserveNames, a.SyncRaw, a.SyncVideo, a.SyncOnChange,
		string(a.Status), times[0], a.LastError, a.ErrorCount,
		times[1], times[2],
	}, nil
}

// scanAccount reads a row of selectAccount.
func scanAccount(row scanner) (domain.Account, error) {
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
		&a.SyncPreserveNames, &a.SyncRaw, &a.SyncVideo, &a.SyncOnChange,
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
		return s.db.errorf("create account: %w", err)
	}
	var id int64
	err = s.db.db.QueryRowContext(ctx, s.db.q(insertAccount), values...).Scan(&id)
	if s.db.d.IsUnique(err) {
		return domain.Errorf(domain.ECONFLICT, "an account named %q exists already", a.Name)
	}
	if err != nil {
		return s.db.errorf("create account: %w", err)
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id, created.CreatedAt, created.UpdatedAt
	return nil
}

// Account returns one account. ENOTFOUND when there is none.
func (s *AccountStore) Account(ctx context.Context, id int64) (domain.Account, error) {
	return s.account(ctx, s.db.db, id, "")
}

// account reads one account; lock is the dialect's ForUpdate inside an
// update's transaction q.
func (s *AccountStore) account(ctx context.Context, q querier, id int64, lock string) (domain.Account, error) {
	return queryOne(ctx, s.db, q, "account "+itoa(id), scanAccount, selectAccount+` WHERE id = ?`+lock, id)
}

// Accounts returns all accounts ordered by ID.
func (s *AccountStore) Accounts(ctx context.Context) ([]domain.Account, error) {
	return queryAll(ctx, s.db, s.db.db, "list accounts", scanAccount, selectAccount+` ORDER BY id`)
}

// UpdateAccount reads an account, lets fn change it and stores the result
// in one transaction, which holds the account's row (SQLite: the
// database's write lock; PostgreSQL: SELECT ... FOR UPDATE), so that an
// update from another process waits for this one rather than overwriting
// it: fn must not wait for anything slow, such as a remote server. An
// error from fn aborts the update and is returned as is. fn cannot change
// ID or CreatedAt; UpdatedAt is set to the time of the update, always
// later than before. ENOTFOUND when there is no such account; ECONFLICT
// when the new name is taken.
func (s *AccountStore) UpdateAccount(ctx context.Context, id int64, fn func(*domain.Account) error) (domain.Account, error) {
	var a domain.Account
	err := s.db.inTx(ctx, "update account "+itoa(id), func(tx *sql.Tx) error {
		old, err := s.account(ctx, tx, id, s.db.d.ForUpdate)
		if err != nil {
			return err
		}
		a = old
		if err := fn(&a); err != nil {
			return err
		}
		a.ID, a.CreatedAt = old.ID, old.CreatedAt
		a.UpdatedAt = now()
		if !a.UpdatedAt.After(old.UpdatedAt) {
			// The clock stood still or went back: UpdatedAt still advances.
			a.UpdatedAt = old.UpdatedAt.Add(time.Nanosecond)
		}
		values, err := accountValues(&a)
		if err != nil {
			return s.db.errorf("update account %d: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, s.db.q(updateAccount), append(values, id)...)
		if s.db.d.IsUnique(err) {
			return domain.Errorf(domain.ECONFLICT, "an account named %q exists already", a.Name)
		}
		if err != nil {
			return s.db.errorf("update account %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return domain.Account{}, err
	}
	return a, nil
}

// DeleteAccount removes an account. ENOTFOUND when there is none.
func (s *AccountStore) DeleteAccount(ctx context.Context, id int64) error {
	n, err := s.db.exec(ctx, s.db.db, `DELETE FROM accounts WHERE id = ?`, id)
	if err != nil {
		return s.db.errorf("delete account %d: %w", id, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "account %d not found", id)
	}
	return nil
}
