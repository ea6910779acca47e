package sqlstore

import (
	"context"
	"database/sql"

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
	changed, inode             sql.NullInt64
}

// photoRow is a photos row as SaveIndex writes it, without its ID and key.
type photoRow struct {
	folder, name string
	taken        sql.NullInt64
}

// storedIndex is what a SaveIndex finds in the tables, by path and by key.
type storedIndex struct {
	files  map[string]storedRow[fileRow]
	photos map[string]storedRow[photoRow]
}

type storedRow[R any] struct {
	id  int64
	row R
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
	if v, err := timeValue(f.Changed); err == nil {
		r.changed = nullInt(v)
	}
	r.inode = sql.NullInt64{Int64: int64(f.Inode), Valid: true}
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
func (s *LibraryStore) storedRows(ctx context.Context, tx *sql.Tx, paths, keys []string) (storedIndex, error) {
	st := storedIndex{files: make(map[string]storedRow[fileRow], len(paths)), photos: make(map[string]storedRow[photoRow], len(keys))}
	in, list, err := s.db.d.In(paths)
	if err != nil {
		return st, err
	}
	type keyed[R any] struct {
		key string
		row storedRow[R]
	}
	files, err := queryAll(ctx, s.db, tx, "stored files", func(row scanner) (k keyed[fileRow], err error) {
		r := &k.row.row
		return k, row.Scan(&k.row.id, &r.photoID, &k.key, &r.kind, &r.role, &r.size, &r.modTime, &r.sha1, &r.taken, &r.source,
			&r.orientation, &r.width, &r.height, &r.problem, &r.missing, &r.changed, &r.inode)
	}, `SELECT id, photo_id, path, kind, role, size, mod_time, sha1, taken_at, taken_source,
	orientation, width, height, problem, missing, changed_at, inode FROM files WHERE path `+in, list)
	if err != nil {
		return st, err
	}
	for _, f := range files {
		st.files[f.key] = f.row
	}
	if in, list, err = s.db.d.In(keys); err != nil {
		return st, err
	}
	photos, err := queryAll(ctx, s.db, tx, "stored photos", func(row scanner) (k keyed[photoRow], err error) {
		return k, row.Scan(&k.row.id, &k.key, &k.row.row.folder, &k.row.row.name, &k.row.row.taken)
	}, `SELECT id, key, folder, name, taken_at FROM photos WHERE key `+in, list)
	if err != nil {
		return st, err
	}
	for _, p := range photos {
		st.photos[p.key] = p.row
	}
	return st, nil
}

// touchFiles sets indexed_at of the files with the given IDs, in one
// statement.
func (s *LibraryStore) touchFiles(ctx context.Context, tx *sql.Tx, ids []int64, indexedAt any) error {
	if len(ids) == 0 {
		return nil
	}
	in, list, err := s.db.d.In(ids)
	if err == nil {
		_, err = s.db.exec(ctx, tx, `UPDATE files SET indexed_at = ? WHERE id `+in, indexedAt, list)
	}
	return err
}
