package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"strings"

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

// Pairs returns an account's pairs ordered by remote path.
func (s *SyncStore) Pairs(ctx context.Context, accountID int64) ([]domain.SyncPair, error) {
	rows, err := s.db.db.QueryContext(ctx, selectPair+` WHERE account_id = ? ORDER BY remote_path`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sync pairs of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []domain.SyncPair
	for rows.Next() {
		var p domain.SyncPair
		var localMod, remoteMod, synced sql.NullInt64
		if err := rows.Scan(&p.AccountID, &p.RemotePath, &p.LocalPath, &p.Size, &localMod, &remoteMod,
			&p.ETag, &p.SHA1, &synced, &p.LocalDeleted, &p.RemoteDeleted); err != nil {
			return nil, fmt.Errorf("sqlite: sync pairs of account %d: %w", accountID, err)
		}
		p.LocalModTime, p.RemoteModTime, p.SyncedAt = timeOf(localMod), timeOf(remoteMod), timeOf(synced)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sync pairs of account %d: %w", accountID, err)
	}
	return out, nil
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
		if err := checkPair(accountID, &p); err != nil {
			return err
		}
		v, err := pairValues(accountID, p)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "pair %s: %v", p.RemotePath, err)
		}
		values = append(values, v)
	}
	return s.batch(ctx, fmt.Sprintf("save sync pairs of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_pairs WHERE account_id = ? AND remote_path = ?`, removeValues(accountID, remove)},
		batchStep{upsertPair, values},
	)
}

func pairValues(accountID int64, p domain.SyncPair) ([]any, error) {
	localMod, err := timeValue(p.LocalModTime)
	if err != nil {
		return nil, err
	}
	remoteMod, err := timeValue(p.RemoteModTime)
	if err != nil {
		return nil, err
	}
	synced, err := timeValue(p.SyncedAt)
	if err != nil {
		return nil, err
	}
	return []any{accountID, p.RemotePath, p.LocalPath, p.Size, localMod, remoteMod,
		p.ETag, p.SHA1, synced, p.LocalDeleted, p.RemoteDeleted}, nil
}

func removeValues(accountID int64, paths []string) [][]any {
	out := make([][]any, 0, len(paths))
	for _, p := range paths {
		out = append(out, []any{accountID, p})
	}
	return out
}

// Folders returns the remote folders remembered for an account ordered by
// path, each with its files ordered by path.
func (s *SyncStore) Folders(ctx context.Context, accountID int64) ([]domain.RemoteFolder, error) {
	fail := func(err error) ([]domain.RemoteFolder, error) {
		return nil, fmt.Errorf("sqlite: sync folders of account %d: %w", accountID, err)
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT path, etag FROM sync_folders WHERE account_id = ? ORDER BY path`, accountID)
	if err != nil {
		return fail(err)
	}
	var out []domain.RemoteFolder
	index := map[string]int{}
	for rows.Next() {
		var f domain.RemoteFolder
		if err := rows.Scan(&f.Path, &f.ETag); err != nil {
			rows.Close()
			return fail(err)
		}
		index[f.Path] = len(out)
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	rows, err = s.db.db.QueryContext(ctx, `SELECT folder, path, name, is_dir, size, mod_time, etag, checksum
		FROM sync_folder_files WHERE account_id = ? ORDER BY folder, path`, accountID)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var folder string
		var f domain.RemoteFile
		var mod sql.NullInt64
		if err := rows.Scan(&folder, &f.Path, &f.Name, &f.IsDir, &f.Size, &mod, &f.ETag, &f.Checksum); err != nil {
			return fail(err)
		}
		f.ModTime = timeOf(mod)
		i, ok := index[folder]
		if !ok {
			return fail(fmt.Errorf("file %s of unknown folder %s", f.Path, folder))
		}
		out[i].Files = append(out[i].Files, f)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return out, nil
}

// ReplaceFolders replaces an account's remembered folders in one
// transaction. EINVALID for a folder without a clean path, a folder given
// twice, or a file that is not directly in its folder (nothing is
// changed then); ENOTFOUND when the account does not exist.
func (s *SyncStore) ReplaceFolders(ctx context.Context, accountID int64, folders []domain.RemoteFolder) error {
	folderRows, fileRows, err := rowsOfFolders(accountID, folders)
	if err != nil {
		return err
	}
	return s.batch(ctx, fmt.Sprintf("replace sync folders of account %d", accountID), accountID,
		batchStep{`DELETE FROM sync_folder_files WHERE account_id = ?`, [][]any{{accountID}}},
		batchStep{`DELETE FROM sync_folders WHERE account_id = ?`, [][]any{{accountID}}},
		batchStep{`INSERT INTO sync_folders (account_id, path, etag) VALUES (?, ?, ?)`, folderRows},
		batchStep{`INSERT INTO sync_folder_files (account_id, folder, path, name, is_dir, size, mod_time, etag, checksum)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, fileRows},
	)
}

// UpdateFolders changes some of an account's remembered folders in one
// transaction; see ports.SyncStore. Deleting a folder's row deletes its
// entries (ON DELETE CASCADE).
func (s *SyncStore) UpdateFolders(ctx context.Context, accountID int64, put, retag []domain.RemoteFolder, drop []string) error {
	folderRows, fileRows, err := rowsOfFolders(accountID, put)
	if err != nil {
		return err
	}
	gone := make([][]any, 0, len(put)+len(drop))
	putPaths := make(map[string]bool, len(put)+len(retag))
	for _, f := range put {
		putPaths[f.Path] = true
		gone = append(gone, []any{accountID, f.Path})
	}
	tags := make([][]any, 0, len(retag))
	for _, f := range retag {
		if c, err := domain.CleanRemotePath(f.Path); err != nil || c != f.Path {
			return domain.Errorf(domain.EINVALID, "the remote folder %q is not a clean path", f.Path)
		}
		if putPaths[f.Path] {
			return domain.Errorf(domain.EINVALID, "the remote folder %s is given twice", f.Path)
		}
		putPaths[f.Path] = true
		tags = append(tags, []any{f.ETag, accountID, f.Path})
	}
	for _, p := range drop {
		if c, err := domain.CleanRemotePath(p); err != nil || c != p {
			return domain.Errorf(domain.EINVALID, "the remote folder %q is not a clean path", p)
		}
		if putPaths[p] {
			return domain.Errorf(domain.EINVALID, "the remote folder %s is both kept and dropped", p)
		}
		gone = append(gone, []any{accountID, p})
	}
	return s.batch(ctx, fmt.Sprintf("update sync folders of account %d", accountID), accountID,
		batchStep{`UPDATE sync_folders SET etag = ? WHERE account_id = ? AND path = ?`, tags},
		batchStep{`DELETE FROM sync_folders WHERE account_id = ? AND path = ?`, gone},
		batchStep{`INSERT INTO sync_folders (account_id, path, etag) VALUES (?, ?, ?)`, folderRows},
		batchStep{`INSERT INTO sync_folder_files (account_id, folder, path, name, is_dir, size, mod_time, etag, checksum)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, fileRows},
	)
}

// rowsOfFolders checks folders (see checkFolders) and answers their rows
// and their entries' rows.
func rowsOfFolders(accountID int64, folders []domain.RemoteFolder) (folderRows, fileRows [][]any, err error) {
	if err := checkFolders(folders); err != nil {
		return nil, nil, err
	}
	for _, f := range folders {
		folderRows = append(folderRows, []any{accountID, f.Path, f.ETag})
		for _, c := range f.Files {
			mod, err := timeValue(c.ModTime)
			if err != nil {
				return nil, nil, domain.Errorf(domain.EINVALID, "remote file %s: %v", c.Path, err)
			}
			fileRows = append(fileRows, []any{accountID, f.Path, c.Path, c.Name, c.IsDir, c.Size, mod, c.ETag, c.Checksum})
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
	tx, err := s.db.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, see dsn
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer tx.Rollback()
	for _, st := range steps {
		if len(st.rows) == 0 {
			continue
		}
		stmt, err := tx.PrepareContext(ctx, st.query)
		if err != nil {
			return fmt.Errorf("sqlite: %s: %w", what, err)
		}
		for _, row := range st.rows {
			if _, err := stmt.ExecContext(ctx, row...); err != nil {
				stmt.Close()
				if isForeignKeyViolation(err) {
					return domain.Errorf(domain.ENOTFOUND, "account %d not found", accountID)
				}
				return fmt.Errorf("sqlite: %s: %w", what, err)
			}
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("sqlite: %s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// checkPair sets a pair's account when it has none and checks its paths.
func checkPair(accountID int64, p *domain.SyncPair) error {
	if p.AccountID == 0 {
		p.AccountID = accountID
	}
	if p.AccountID != accountID {
		return domain.Errorf(domain.EINVALID, "the pair of %s belongs to account %d, not %d", p.RemotePath, p.AccountID, accountID)
	}
	if !cleanRemoteFile(p.RemotePath) {
		return domain.Errorf(domain.EINVALID, "the pair's remote path %q is not a clean file path", p.RemotePath)
	}
	if !libraryPath(p.LocalPath) {
		return domain.Errorf(domain.EINVALID, "the pair's library path %q is not a clean relative path", p.LocalPath)
	}
	return nil
}

// checkFolders checks that folder paths are clean and unique and that
// every file is directly in its folder, once.
func checkFolders(folders []domain.RemoteFolder) error {
	seen := make(map[string]bool, len(folders))
	for _, f := range folders {
		if c, err := domain.CleanRemotePath(f.Path); err != nil || c != f.Path {
			return domain.Errorf(domain.EINVALID, "the remote folder %q is not a clean path", f.Path)
		}
		if seen[f.Path] {
			return domain.Errorf(domain.EINVALID, "the remote folder %s is given twice", f.Path)
		}
		seen[f.Path] = true
		names := make(map[string]bool, len(f.Files))
		for _, c := range f.Files {
			if !cleanRemoteFile(c.Path) || path.Dir(c.Path) != f.Path {
				return domain.Errorf(domain.EINVALID, "the remote path %q is not directly in the folder %s", c.Path, f.Path)
			}
			if names[c.Path] {
				return domain.Errorf(domain.EINVALID, "the remote path %s is given twice", c.Path)
			}
			names[c.Path] = true
		}
	}
	return nil
}

// cleanRemoteFile reports whether p is a clean remote path other than the
// root.
func cleanRemoteFile(p string) bool {
	c, err := domain.CleanRemotePath(p)
	return err == nil && c == p && c != "/"
}

// libraryPath reports whether p is a clean, slash-separated path relative
// to the library.
func libraryPath(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.Contains(p, `\`)
}
