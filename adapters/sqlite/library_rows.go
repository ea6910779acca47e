package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/photosync/photosync/domain"
)

// This file lets SaveIndex write only the rows that changed: it reads
// what is stored in the same transaction and compares column by column.

// fileRow is a files row as SaveIndex writes it, without its ID, path and
// indexed_at: two equal rows need no write.
type fileRow struct {
	photoID                    sql.NullInt64
	kind, role                 string
	size                       int64
	modTime                    sql.NullInt64
	sha1                       string
	taken                      sql.NullInt64
	source                     string
	orientation, width, height int
	problem                    string
	missing                    bool
}

// photoRow is a photos row as SaveIndex writes it, without its ID and key.
type photoRow struct {
	folder, name string
	taken        sql.NullInt64
}

// storedIndex is what a SaveIndex finds in the tables, by path and by key.
type storedIndex struct {
	files  map[string]storedFile
	photos map[string]storedPhoto
}

type storedFile struct {
	id  int64
	row fileRow
}

type storedPhoto struct {
	id  int64
	row photoRow
}

// fileRowOf is the row SaveIndex writes for f (never missing).
func fileRowOf(f *domain.LibraryFile) fileRow {
	r := fileRow{kind: string(f.Kind), role: string(f.Role), size: f.Size, sha1: f.SHA1, source: string(f.TakenSource),
		orientation: f.Orientation, width: f.Width, height: f.Height, problem: f.Problem}
	if f.PhotoID != 0 {
		r.photoID = sql.NullInt64{Int64: f.PhotoID, Valid: true}
	}
	if v, err := timeValue(f.ModTime); err == nil {
		r.modTime = nullInt(v)
	}
	if v, err := timeValue(f.TakenAt); err == nil {
		r.taken = nullInt(v)
	}
	return r
}

// nullInt is a value of timeValue as a column value.
func nullInt(v any) sql.NullInt64 {
	if n, ok := v.(int64); ok {
		return sql.NullInt64{Int64: n, Valid: true}
	}
	return sql.NullInt64{}
}

// storedRows reads, within tx, the rows of the files at paths and of the
// photos with keys: those a save may leave as they are. Only those: an
// index that saves one new photo among 100,000 reads one row, not all.
func storedRows(ctx context.Context, tx *sql.Tx, paths, keys []string) (storedIndex, error) {
	st := storedIndex{files: make(map[string]storedFile, len(paths)), photos: make(map[string]storedPhoto, len(keys))}
	pathList, err := json.Marshal(paths)
	if err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	keyList, err := json.Marshal(keys)
	if err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, photo_id, path, kind, role, size, mod_time, sha1, taken_at, taken_source,
	orientation, width, height, problem, missing FROM files WHERE path IN (SELECT value FROM json_each(?))`, string(pathList))
	if err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var path string
		var r fileRow
		if err := rows.Scan(&id, &r.photoID, &path, &r.kind, &r.role, &r.size, &r.modTime, &r.sha1, &r.taken, &r.source,
			&r.orientation, &r.width, &r.height, &r.problem, &r.missing); err != nil {
			return st, fmt.Errorf("sqlite: save index: %w", err)
		}
		st.files[path] = storedFile{id, r}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	prow, err := tx.QueryContext(ctx, `SELECT id, key, folder, name, taken_at FROM photos
	WHERE key IN (SELECT value FROM json_each(?))`, string(keyList))
	if err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var id int64
		var key string
		var r photoRow
		if err := prow.Scan(&id, &key, &r.folder, &r.name, &r.taken); err != nil {
			return st, fmt.Errorf("sqlite: save index: %w", err)
		}
		st.photos[key] = storedPhoto{id, r}
	}
	if err := prow.Err(); err != nil {
		return st, fmt.Errorf("sqlite: save index: %w", err)
	}
	return st, nil
}

// touchFiles sets indexed_at of the files with the given IDs, in one
// statement.
func touchFiles(ctx context.Context, tx *sql.Tx, ids []int64, indexedAt any) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlite: save index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE files SET indexed_at = ? WHERE id IN (SELECT value FROM json_each(?))`,
		indexedAt, string(list)); err != nil {
		return fmt.Errorf("sqlite: save index: %w", err)
	}
	return nil
}
