package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SyncStore keeps the state of each account's sync in the sync_pairs,
// sync_folders, sync_folder_files, sync_failures and sync_runs tables.
// Writes of many rows run in one transaction with one prepared statement,
// so that saving the pairs of 20,000 files is one commit, not 20,000.
type SyncStore struct {
	db *DB
}

var _ ports.SyncStore = (*SyncStore)(nil)

// NewSyncStore returns a SyncStore on db.
func NewSyncStore(db *DB) *SyncStore {
	return &SyncStore{db: db}
}

const selectPair = `SELECT account_id, remote_path, local_path, size, local_mod_time, remote_mod_time,
	etag, sha1, synced_at, local_deleted, remote_deleted FROM sync_pairs`

const upsertPair = `INSERT INTO sync_pairs (account_id, remote_path, local_path, size, local_mod_time, remote_mod_time,
	etag, sha1, synced_at, local_deleted, remote_deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id, remote_path) DO UPDATE SET local_path = excluded.local_path, size = excluded.size,
	local_mod_time = excluded.local_mod_time, remote_mod_time = excluded.remote_mod_time, etag = excluded.etag,
	sha1 = excluded.sha1, synced_at = excluded.synced_at, local_deleted = excluded.local_deleted,
	remote_deleted = excluded.remote_deleted`

const insertFolderFile = `INSERT INTO sync_folder_files (account_id, folder, path, name, is_dir, size, mod_time, etag, checksum)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Pairs returns an account's pairs ordered by remote path.
func (s *SyncStore) Pairs(ctx context.Context, accountID int64) ([]domain.SyncPair, error) {
	pairs, err := queryAll(ctx, s.db, s.db.db, fmt.Sprintf("sync pairs of account %d", accountID), scanPair,
		selectPair+` WHERE account_id = ? ORDER BY remote_path`, accountID)
	if len(pairs) == 0 {
		return nil, err
	}
	return pairs, err
}

func scanPair(row scanner) (domain.SyncPair, error) {
	var p domain.SyncPair
	var localMod, remoteMod, synced sql.NullInt64
	err := row.Scan(&p.AccountID, &p.RemotePath, &p.LocalPath, &p.Size, &localMod, &remoteMod,
		&p.ETag, &p.SHA1, &synced, &p.LocalDeleted, &p.RemoteDeleted)
	p.LocalModTime, p.RemoteModTime, p.SyncedAt = timeOf(localMod), timeOf(remoteMod), timeOf(synced)
	return p, err
}

// SavePairs deletes the pairs at the remote paths in remove, then upserts
// the pairs in upsert by (account, remote path), all in one transaction: a
// path in both ends up with its new pair. A pair with AccountID 0 is taken
// for accountID's. EINVALID for a pair of another account or without a
// clean remote path and library path (nothing is saved then); ENOTFOUND
// when the account does not exist.
func (s *SyncStore) SavePairs(ctx context.Context, accountID int64, upsert []domain.SyncPair, remove []string) error {
	values := make([][]any, 0, len(upsert))
	for _, p := range upsert {
		if err := p.Validate(accountID); err != nil {
			return err
		}
		times, err := timeValues([]string{"local_mod_time", "remote_mod_time", "synced_at"}, p.LocalModTime, p.RemoteModTime, p.SyncedAt)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "pair %s: %v", p.RemotePath, err)
		}
		values = append(values, []any{accountID, p.RemotePath, p.LocalPath, p.Size, times[0], times[1],
			p.ETag, p.SHA1, times[2], p.LocalDeleted, p.RemoteDeleted})
	}
	removeRows := make([][]any, 0, len(remove))
	for _, p := range remove {
		removeRows = append(removeRows, []any{accountID, p})
	}
	return s.batch(ctx, fmt.Sprintf("save sync pairs of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_pairs WHERE account_id = ? AND remote_path = ?`, removeRows},
		batchStep{upsertPair, values},
	)
}

// Folders returns the remote folders remembered for an account ordered by
// path, each with its files ordered by path.
func (s *SyncStore) Folders(ctx context.Context, accountID int64) ([]domain.RemoteFolder, error) {
	what := fmt.Sprintf("sync folders of account %d", accountID)
	out, err := queryAll(ctx, s.db, s.db.db, what, func(row scanner) (f domain.RemoteFolder, err error) {
		return f, row.Scan(&f.Path, &f.ETag)
	}, `SELECT path, etag FROM sync_folders WHERE account_id = ? ORDER BY path`, accountID)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	index := make(map[string]int, len(out))
	for i, f := range out {
		index[f.Path] = i
	}
	type entry struct {
		folder string
		file   domain.RemoteFile
	}
	entries, err := queryAll(ctx, s.db, s.db.db, what, func(row scanner) (e entry, err error) {
		var mod sql.NullInt64
		var sum string
		f := &e.file
		if err = row.Scan(&e.folder, &f.Path, &f.Name, &f.IsDir, &f.Size, &mod, &f.ETag, &sum); err != nil {
			return e, err
		}
		f.ModTime = timeOf(mod)
		// The column holds the checksum's text form, "SHA1:<hex>" or "".
		if f.Checksum, err = domain.ParseChecksum(sum); err != nil {
			return e, s.db.errorf("%s: the checksum of %s: %v", what, f.Path, err)
		}
		return e, nil
	}, `SELECT folder, path, name, is_dir, size, mod_time, etag, checksum
		FROM sync_folder_files WHERE account_id = ? ORDER BY folder, path`, accountID)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		i, ok := index[e.folder]
		if !ok {
			return nil, s.db.errorf("%s: file %s of unknown folder %s", what, e.file.Path, e.folder)
		}
		out[i].Files = append(out[i].Files, e.file)
	}
	return out, nil
}

// ReplaceFolders replaces an account's remembered folders in one
// transaction. EINVALID for a folder without a clean path, a folder given
// twice, or a file that is not directly in its folder (nothing is
// changed then); ENOTFOUND when the account does not exist.
func (s *SyncStore) ReplaceFolders(ctx context.Context, accountID int64, folders []domain.RemoteFolder) error {
	if err := domain.ValidateFolders(folders); err != nil {
		return err
	}
	folderRows, fileRows, err := rowsOfFolders(accountID, folders)
	if err != nil {
		return err
	}
	return s.batch(ctx, fmt.Sprintf("replace sync folders of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_folder_files WHERE account_id = ?`, [][]any{{accountID}}},
		batchStep{`DELETE FROM sync_folders WHERE account_id = ?`, [][]any{{accountID}}},
		batchStep{`INSERT INTO sync_folders (account_id, path, etag) VALUES (?, ?, ?)`, folderRows},
		batchStep{insertFolderFile, fileRows},
	)
}

// UpdateFolders changes some of an account's remembered folders in one
// transaction; see ports.SyncStore. Deleting a folder's row deletes its
// entries (ON DELETE CASCADE).
func (s *SyncStore) UpdateFolders(ctx context.Context, accountID int64, put, retag []domain.RemoteFolder, drop []string) error {
	if err := domain.ValidateFolderUpdate(put, retag, drop); err != nil {
		return err
	}
	folderRows, fileRows, err := rowsOfFolders(accountID, put)
	if err != nil {
		return err
	}
	gone := make([][]any, 0, len(put)+len(drop))
	for _, f := range put {
		gone = append(gone, []any{accountID, f.Path})
	}
	for _, p := range drop {
		gone = append(gone, []any{accountID, p})
	}
	tags := make([][]any, 0, len(retag))
	for _, f := range retag {
		tags = append(tags, []any{f.ETag, accountID, f.Path})
	}
	return s.batch(ctx, fmt.Sprintf("update sync folders of account %d", accountID), accountID,
		batchStep{`UPDATE sync_folders SET etag = ? WHERE account_id = ? AND path = ?`, tags},
		batchStep{`DELETE FROM sync_folders WHERE account_id = ? AND path = ?`, gone},
		batchStep{`INSERT INTO sync_folders (account_id, path, etag) VALUES (?, ?, ?)`, folderRows},
		batchStep{insertFolderFile, fileRows},
	)
}

// rowsOfFolders answers the rows of checked folders and of their entries.
func rowsOfFolders(accountID int64, folders []domain.RemoteFolder) (folderRows, fileRows [][]any, err error) {
	for _, f := range folders {
		folderRows = append(folderRows, []any{accountID, f.Path, f.ETag})
		for _, c := range f.Files {
			mod, err := timeValue(c.ModTime)
			if err != nil {
				return nil, nil, domain.Errorf(domain.EINVALID, "remote file %s: %v", c.Path, err)
			}
			if err := c.Checksum.Validate(); err != nil {
				return nil, nil, domain.Errorf(domain.EINVALID, "remote file %s: %v", c.Path, err)
			}
			fileRows = append(fileRows, []any{accountID, f.Path, c.Path, c.Name, c.IsDir, c.Size, mod, c.ETag, c.Checksum.String()})
		}
	}
	return folderRows, fileRows, nil
}

// A batchStep is one statement run once per row of values.
type batchStep struct {
	query string
	rows  [][]any
}

// batch runs the steps in one transaction, each statement prepared once.
// A violated foreign key means the account does not exist.
func (s *SyncStore) batch(ctx context.Context, what string, accountID int64, steps ...batchStep) error {
	return s.db.inTx(ctx, what, func(tx *sql.Tx) error {
		for _, st := range steps {
			if len(st.rows) == 0 {
				continue
			}
			stmt, err := tx.PrepareContext(ctx, s.db.q(st.query))
			if err != nil {
				return s.db.errorf("%s: %w", what, err)
			}
			for _, row := range st.rows {
				if _, err := stmt.ExecContext(ctx, row...); err != nil {
					stmt.Close()
					if s.db.d.IsForeignKey(err) {
						return domain.Errorf(domain.ENOTFOUND, "account %d not found", accountID)
					}
					return s.db.errorf("%s: %w", what, err)
				}
			}
			if err := stmt.Close(); err != nil {
				return s.db.errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

const selectFailure = `SELECT account_id, direction, local_path, remote_path, attempts, last_error,
	last_attempt_at, next_attempt_at, failed FROM sync_failures`

const upsertFailure = `INSERT INTO sync_failures (account_id, direction, local_path, remote_path, attempts, last_error,
	last_attempt_at, next_attempt_at, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id, direction, local_path, remote_path) DO UPDATE SET attempts = excluded.attempts,
	last_error = excluded.last_error, last_attempt_at = excluded.last_attempt_at,
	next_attempt_at = excluded.next_attempt_at, failed = excluded.failed`

// Failures returns an account's failures ordered by remote path, library
// path and direction; failedOnly keeps those that reached the retry limit.
func (s *SyncStore) Failures(ctx context.Context, accountID int64, failedOnly bool) ([]domain.SyncFailure, error) {
	q := selectFailure + ` WHERE account_id = ?`
	if failedOnly {
		q += ` AND failed = TRUE`
	}
	out, err := queryAll(ctx, s.db, s.db.db, fmt.Sprintf("sync failures of account %d", accountID), func(row scanner) (domain.SyncFailure, error) {
		var f domain.SyncFailure
		var dir string
		var last, next sql.NullInt64
		err := row.Scan(&f.AccountID, &dir, &f.LocalPath, &f.RemotePath, &f.Attempts, &f.LastError, &last, &next, &f.Failed)
		f.Direction, f.LastAttemptAt, f.NextAttemptAt = domain.SyncDirection(dir), timeOf(last), timeOf(next)
		return f, err
	}, q+` ORDER BY remote_path, local_path, direction`, accountID)
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}

// SaveFailures clears the failures in clear, then upserts those in upsert
// by (account, direction, library path, remote path), in one transaction.
// A failure with AccountID 0 is taken for accountID's. EINVALID for a
// failure of another account, of no known direction or without a path
// (nothing is saved then); ENOTFOUND when the account does not exist.
func (s *SyncStore) SaveFailures(ctx context.Context, accountID int64, upsert, clear []domain.SyncFailure) error {
	var clearRows, upsertRows [][]any
	for _, f := range clear {
		if err := f.Validate(accountID); err != nil {
			return err
		}
		clearRows = append(clearRows, []any{accountID, string(f.Direction), f.LocalPath, f.RemotePath})
	}
	for _, f := range upsert {
		if err := f.Validate(accountID); err != nil {
			return err
		}
		times, err := timeValues([]string{"last_attempt_at", "next_attempt_at"}, f.LastAttemptAt, f.NextAttemptAt)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "failure of %s: %v", f.RemotePath, err)
		}
		upsertRows = append(upsertRows, []any{accountID, string(f.Direction), f.LocalPath, f.RemotePath,
			f.Attempts, f.LastError, times[0], times[1], f.Failed})
	}
	return s.batch(ctx, fmt.Sprintf("save sync failures of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_failures WHERE account_id = ? AND direction = ? AND local_path = ? AND remote_path = ?`, clearRows},
		batchStep{upsertFailure, upsertRows},
	)
}

// runColumns are the columns written from a SyncRun, in the order of
// runValues. The ID is the table's own.
const runColumns = `account_id, job_id, dry_run, started_at, finished_at, downloaded, uploaded,
	bytes_down, bytes_up, skipped, failed, errors, error, complete`

// runValues returns the values of r for runColumns, with at most
// domain.MaxJobErrors errors.
func runValues(r domain.SyncRun) ([]any, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	errs, err := errorsJSON(r.Errors)
	if err != nil {
		return nil, err
	}
	times, err := timeValues([]string{"started_at", "finished_at"}, r.StartedAt, r.FinishedAt)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "sync run: %v", err)
	}
	return []any{r.AccountID, r.JobID, r.DryRun, times[0], times[1], r.Downloaded, r.Uploaded,
		r.BytesDown, r.BytesUp, r.Skipped, r.Failed, errs, r.Error, r.Complete}, nil
}

// CreateRun stores a new run and sets its ID. EINVALID for a run without
// an account; ENOTFOUND when the account does not exist.
func (s *SyncStore) CreateRun(ctx context.Context, r *domain.SyncRun) error {
	values, err := runValues(*r)
	if err != nil {
		return err
	}
	var id int64
	err = s.db.db.QueryRowContext(ctx, s.db.q(`INSERT INTO sync_runs (`+runColumns+`) VALUES (`+placeholders(14)+`)
		RETURNING id`), values...).Scan(&id)
	if s.db.d.IsForeignKey(err) {
		return domain.Errorf(domain.ENOTFOUND, "account %d not found", r.AccountID)
	}
	if err != nil {
		return s.db.errorf("create sync run: %w", err)
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
	n, err := s.db.exec(ctx, s.db.db, `UPDATE sync_runs SET (`+runColumns+`) = (`+placeholders(14)+`)
		WHERE id = ? AND account_id = ?`, append(values, r.ID, r.AccountID)...)
	if err != nil {
		return s.db.errorf("update sync run %d: %w", r.ID, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "sync run %d of account %d not found", r.ID, r.AccountID)
	}
	return nil
}

// Runs returns an account's most recent runs, newest (highest ID) first;
// a limit below 1 returns them all.
func (s *SyncStore) Runs(ctx context.Context, accountID int64, limit int) ([]domain.SyncRun, error) {
	q, args := `SELECT id, `+runColumns+` FROM sync_runs WHERE account_id = ? ORDER BY id DESC`, []any{accountID}
	if limit >= 1 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	out, err := queryAll(ctx, s.db, s.db.db, fmt.Sprintf("sync runs of account %d", accountID), func(row scanner) (domain.SyncRun, error) {
		var r domain.SyncRun
		var started, finished sql.NullInt64
		var errsJSON string
		if err := row.Scan(&r.ID, &r.AccountID, &r.JobID, &r.DryRun, &started, &finished, &r.Downloaded, &r.Uploaded,
			&r.BytesDown, &r.BytesUp, &r.Skipped, &r.Failed, &errsJSON, &r.Error, &r.Complete); err != nil {
			return r, err
		}
		var err error
		if r.Errors, err = errorsOf(errsJSON); err != nil {
			return r, fmt.Errorf("sync run %d: errors: %w", r.ID, err)
		}
		r.StartedAt, r.FinishedAt = timeOf(started), timeOf(finished)
		return r, nil
	}, q, args...)
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}
