package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/photosync/photosync/domain"
)

const selectFailure = `SELECT account_id, direction, local_path, remote_path, attempts, last_error,
	last_attempt_at, next_attempt_at, failed FROM sync_failures`

const upsertFailure = `INSERT INTO sync_failures (account_id, direction, local_path, remote_path, attempts, last_error,
	last_attempt_at, next_attempt_at, failed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (account_id, direction, local_path, remote_path) DO UPDATE SET attempts = excluded.attempts,
	last_error = excluded.last_error, last_attempt_at = excluded.last_attempt_at,
	next_attempt_at = excluded.next_attempt_at, failed = excluded.failed`

// Failures returns an account's failures ordered by remote path, library
// path and direction; failedOnly keeps those that reached the retry limit.
func (s *SyncStore) Failures(ctx context.Context, accountID int64, failedOnly bool) ([]domain.SyncFailure, error) {
	q := selectFailure + ` WHERE account_id = $1`
	if failedOnly {
		q += ` AND failed`
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY remote_path, local_path, direction`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: sync failures of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.SyncFailure
	for rows.Next() {
		var f domain.SyncFailure
		var dir string
		var last, next sql.NullInt64
		if err := rows.Scan(&f.AccountID, &dir, &f.LocalPath, &f.RemotePath, &f.Attempts, &f.LastError,
			&last, &next, &f.Failed); err != nil {
			return nil, fmt.Errorf("postgres: sync failures of account %d: %w", accountID, err)
		}
		f.Direction, f.LastAttemptAt, f.NextAttemptAt = domain.SyncDirection(dir), timeOf(last), timeOf(next)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sync failures of account %d: %w", accountID, err)
	}
	return out, nil
}

// SaveFailures clears the failures in clear, then upserts those in upsert
// by (account, direction, library path, remote path), in one transaction.
// A failure with AccountID 0 is taken for accountID's. EINVALID for a
// failure of another account, of no known direction or without a path
// (nothing is saved then); ENOTFOUND when the account does not exist.
func (s *SyncStore) SaveFailures(ctx context.Context, accountID int64, upsert, clear []domain.SyncFailure) error {
	var clearRows, upsertRows [][]any
	for _, f := range clear {
		if err := checkFailure(accountID, &f); err != nil {
			return err
		}
		clearRows = append(clearRows, []any{accountID, string(f.Direction), f.LocalPath, f.RemotePath})
	}
	for _, f := range upsert {
		if err := checkFailure(accountID, &f); err != nil {
			return err
		}
		last, err := timeValue(f.LastAttemptAt)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "failure of %s: %v", f.RemotePath, err)
		}
		next, err := timeValue(f.NextAttemptAt)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "failure of %s: %v", f.RemotePath, err)
		}
		upsertRows = append(upsertRows, []any{accountID, string(f.Direction), f.LocalPath, f.RemotePath,
			f.Attempts, f.LastError, last, next, f.Failed})
	}
	return s.batch(ctx, fmt.Sprintf("save sync failures of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_failures WHERE account_id = $1 AND direction = $2 AND local_path = $3 AND remote_path = $4`, clearRows},
		batchStep{upsertFailure, upsertRows},
	)
}

func checkFailure(accountID int64, f *domain.SyncFailure) error {
	if f.AccountID == 0 {
		f.AccountID = accountID
	}
	switch {
	case f.AccountID != accountID:
		return domain.Errorf(domain.EINVALID, "the failure of %s belongs to account %d, not %d", f.RemotePath, f.AccountID, accountID)
	case f.Direction != domain.SyncDown && f.Direction != domain.SyncUp:
		return domain.Errorf(domain.EINVALID, "the failure of %s has no direction (%q)", f.RemotePath, f.Direction)
	case f.LocalPath == "" && f.RemotePath == "":
		return domain.Errorf(domain.EINVALID, "a failure needs a library path or a remote path")
	}
	return nil
}

// runColumns are the columns written from a SyncRun, in the order of
// runValues. The ID is the table's own.
const runColumns = `account_id, job_id, dry_run, started_at, finished_at, downloaded, uploaded,
	bytes_down, bytes_up, skipped, failed, errors, error, complete`

// runValues returns the values of r for runColumns, with at most
// domain.MaxJobErrors errors.
func runValues(r domain.SyncRun) ([]any, error) {
	if r.AccountID == 0 {
		return nil, domain.Errorf(domain.EINVALID, "a sync run needs an account")
	}
	errs := make([]jobErrorJSON, 0, min(len(r.Errors), domain.MaxJobErrors))
	for _, e := range r.Errors[:min(len(r.Errors), domain.MaxJobErrors)] {
		errs = append(errs, jobErrorJSON(e))
	}
	errsJSON, err := json.Marshal(errs)
	if err != nil {
		return nil, fmt.Errorf("errors: %w", err)
	}
	started, err := timeValue(r.StartedAt)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "sync run: started_at: %v", err)
	}
	finished, err := timeValue(r.FinishedAt)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "sync run: finished_at: %v", err)
	}
	return []any{r.AccountID, r.JobID, r.DryRun, started, finished, r.Downloaded, r.Uploaded,
		r.BytesDown, r.BytesUp, r.Skipped, r.Failed, string(errsJSON), r.Error, r.Complete}, nil
}

// CreateRun stores a new run and sets its ID. EINVALID for a run without
// an account; ENOTFOUND when the account does not exist.
func (s *SyncStore) CreateRun(ctx context.Context, r *domain.SyncRun) error {
	values, err := runValues(*r)
	if err != nil {
		return err
	}
	var id int64
	err = s.db.db.QueryRowContext(ctx, `INSERT INTO sync_runs (`+runColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING id`, values...).Scan(&id)
	if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "account %d not found", r.AccountID)
	}
	if err != nil {
		return fmt.Errorf("postgres: create sync run: %w", err)
	}
	r.ID = id
	return nil
}

// UpdateRun replaces a stored run. ENOTFOUND when there is no run with r's
// ID for r's account.
func (s *SyncStore) UpdateRun(ctx context.Context, r domain.SyncRun) error {
	values, err := runValues(r)
	if err != nil {
		return err
	}
	res, err := s.db.db.ExecContext(ctx, `UPDATE sync_runs SET (`+runColumns+`) = ROW ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		WHERE id = $15 AND account_id = $16`, append(values, r.ID, r.AccountID)...)
	if err != nil {
		return fmt.Errorf("postgres: update sync run %d: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("postgres: update sync run %d: %w", r.ID, err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "sync run %d of account %d not found", r.ID, r.AccountID)
	}
	return nil
}

// Runs returns an account's most recent runs, newest (highest ID) first;
// a limit below 1 returns them all.
func (s *SyncStore) Runs(ctx context.Context, accountID int64, limit int) ([]domain.SyncRun, error) {
	var max any = limit
	if limit < 1 {
		max = nil // LIMIT NULL: no limit
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, `+runColumns+` FROM sync_runs WHERE account_id = $1
		ORDER BY id DESC LIMIT $2`, accountID, max)
	if err != nil {
		return nil, fmt.Errorf("postgres: sync runs of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.SyncRun
	for rows.Next() {
		var r domain.SyncRun
		var started, finished sql.NullInt64
		var errsJSON string
		if err := rows.Scan(&r.ID, &r.AccountID, &r.JobID, &r.DryRun, &started, &finished, &r.Downloaded, &r.Uploaded,
			&r.BytesDown, &r.BytesUp, &r.Skipped, &r.Failed, &errsJSON, &r.Error, &r.Complete); err != nil {
			return nil, fmt.Errorf("postgres: sync runs of account %d: %w", accountID, err)
		}
		var errs []jobErrorJSON
		if err := json.Unmarshal([]byte(errsJSON), &errs); err != nil {
			return nil, fmt.Errorf("postgres: sync run %d: errors: %w", r.ID, err)
		}
		for _, e := range errs {
			r.Errors = append(r.Errors, domain.JobError(e))
		}
		r.StartedAt, r.FinishedAt = timeOf(started), timeOf(finished)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sync runs of account %d: %w", accountID, err)
	}
	return out, nil
}
