package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
)

// journalMode opens a closed database file with the bare driver and
// reads its journal mode, which WAL keeps in the file.
func journalMode(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// TestOpenJournal: a database for a network file system uses the rollback
// journal, leaves no -wal or -shm file and still works; the default is WAL.
func TestOpenJournal(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		journal sqlite.Journal
		want    string
		shm     bool
	}{
		{sqlite.JournalDelete, "delete", false},
		{sqlite.JournalWAL, "wal", true},
	} {
		t.Run(string(tc.journal), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "photosync.db")
			db, err := sqlite.OpenJournal(ctx, path, tc.journal)
			if err != nil {
				t.Fatal(err)
			}
			settings := sqlite.NewSettingStore(db)
			if err := settings.SetSetting(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(path + "-shm")
			if (statErr == nil) != tc.shm {
				t.Errorf("-shm file exists: %v, want %v", statErr == nil, tc.shm)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if got := journalMode(t, path); got != tc.want {
				t.Errorf("journal_mode = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := sqlite.OpenJournal(ctx, filepath.Join(t.TempDir(), "x.db"), "memory"); err == nil {
		t.Error("OpenJournal accepted the journal mode memory")
	}
}

func TestParseJournal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sqlite.Journal
		ok   bool
	}{
		{"", sqlite.JournalWAL, true},
		{"wal", sqlite.JournalWAL, true},
		{"DELETE", sqlite.JournalDelete, true},
		{" delete ", sqlite.JournalDelete, true},
		{"truncate", "", false},
	} {
		got, err := sqlite.ParseJournal(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseJournal(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
