package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestLibraryStore(t *testing.T) {
	porttest.TestLibraryStore(t, func(t *testing.T) ports.LibraryStore {
		return sqlite.NewLibraryStore(openDB(t))
	})
}

// TestLibraryStoreKeepsOddTimes saves a file whose modification time
// SQLite's nanosecond integers cannot hold: the index is saved, the time
// stored as unknown.
func TestLibraryStoreKeepsOddTimes(t *testing.T) {
	ctx := context.Background()
	s := sqlite.NewLibraryStore(openDB(t))
	f := domain.LibraryFile{Path: "old.jpg", Kind: domain.KindImage, Role: domain.RolePrimary, Size: 1,
		ModTime: time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), TakenSource: domain.TakenFromMTime}
	photos := []domain.Photo{{Key: "/old", Name: "old", Files: []domain.LibraryFile{f}}}
	if err := s.SaveIndex(ctx, photos, nil, nil, time.Now()); err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
	got, err := s.LibraryFile(ctx, photos[0].Files[0].ID)
	if err != nil || !got.ModTime.IsZero() || got.Path != "old.jpg" {
		t.Fatalf("LibraryFile: %+v, %v", got, err)
	}
}

// TestLibraryStoreUsesIndexes checks that the queries of a page of photos
// do not scan the files table.
func TestLibraryStoreUsesIndexes(t *testing.T) {
	db := openDB(t)
	for _, q := range []string{
		`SELECT 1 FROM files f WHERE f.photo_id = 1 AND f.missing = 0 AND f.kind = 'raw'`,
		`SELECT id FROM files WHERE problem <> '' AND missing = 0 ORDER BY path`,
		`SELECT id FROM photos p ORDER BY p.taken_at IS NULL, p.taken_at DESC, p.id LIMIT 10`,
	} {
		rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN ` + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan += detail + "; "
		}
		rows.Close()
		if !containsAny(plan, "USING INDEX", "USING COVERING INDEX") || containsAny(plan, "TEMP B-TREE") {
			t.Errorf("%s\nplan: %s", q, plan)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
