package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// pgMigrated is what `migrate-store --json` prints.
type pgMigrated struct {
	Tables []struct {
		Table string
		Rows  int64
	}
}

// pgJobs runs `jobs --json` and returns the jobs by ID with their state.
func pgJobs(t *testing.T, e *upEnv) map[int64]string {
	t.Helper()
	out, err := e.cli("", "jobs", "--json", "--limit", "100")
	if err != nil {
		t.Fatalf("jobs: %v", err)
	}
	var list []struct {
		ID    int64
		Kind  string
		State string
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("jobs: %v\n%s", err, out)
	}
	jobs := map[int64]string{}
	for _, j := range list {
		jobs[j.ID] = j.Kind + " " + j.State
	}
	return jobs
}

// TestMigrateStoreToPostgres: an installation on SQLite that synced and
// uploaded is copied into PostgreSQL with `photosync migrate-store`, and
// photosync on PHOTOSYNC_DATABASE_URL carries on from it with the SQLite
// file out of the way: the account's sealed password opens with the same
// key, the jobs are the same, the sync has nothing left to do, the
// uploads are known, and new IDs go on past every ID SQLite gave, even
// that of a removed account. A second copy into the same database is
// refused unless --force.
func TestMigrateStoreToPostgres(t *testing.T) {
	cluster := pgtest.Start(t)
	srv := davtest.StartXNet(t)
	for i := range 3 {
		srv.WriteFile(t, fmt.Sprintf("Photos/IMG_%d.jpg", i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 40 + i, Height: 30, Seed: int64(i)}))
	}
	side := davSide{url: srv.URL, user: srv.Username, pass: srv.Password}
	e := newUpEnv(t)
	id := e.syncAccount(side, "/Photos")
	// The newest account is removed: only SQLite's sqlite_sequence
	// remembers its ID.
	removed := e.addAccount(srv.URL, srv.Username, srv.Password)
	if _, err := e.cli("", "account", "remove", strconv.FormatInt(removed, 10)); err != nil {
		t.Fatalf("account remove: %v", err)
	}
	e.mustSync(id, 3, 0)
	e.index()
	if j, err := e.upload(id, "--folder", "/Up", "--all"); err != nil || j.Uploaded != 3 {
		t.Fatalf("upload: %v, %+v", err, j)
	}
	jobs := pgJobs(t, e)

	url := cluster.NewDatabase(t)
	out, err := e.cli("", "migrate-store", "--to", url, "--json")
	if err != nil {
		t.Fatalf("migrate-store: %v (%s)", err, describe(err))
	}
	var m pgMigrated
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("migrate-store: %v\n%s", err, out)
	}
	rows := map[string]int64{}
	for _, tc := range m.Tables {
		rows[tc.Table] = tc.Rows
	}
	for table, want := range map[string]int64{"accounts": 1, "jobs": int64(len(jobs)), "uploads": 3, "sync_pairs": 3, "sync_runs": 1, "files": 3, "photos": 3} {
		if rows[table] != want {
			t.Errorf("migrate-store copied %d rows of %s, want %d (%v)", rows[table], table, want, rows)
		}
	}
	_, err = e.cli("", "migrate-store", "--to", url)
	if exitCode(err) != 1 || !strings.Contains(describe(err), "--force") {
		t.Errorf("a second migrate-store into the same database: %v (%s); want a refusal naming --force", err, describe(err))
	}

	// photosync on PostgreSQL, with the SQLite file moved away.
	sqliteFile := filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db")
	if err := os.Rename(sqliteFile, sqliteFile+".moved"); err != nil {
		t.Fatal(err)
	}
	pg := &upEnv{t: t, env: maps.Clone(e.env)}
	pg.env["PHOTOSYNC_DATABASE_URL"] = url
	if _, err := pg.cli("", "account", "test", strconv.FormatInt(id, 10)); err != nil {
		t.Fatalf("account test on PostgreSQL: %v (%s): the sealed password did not open, or the account is gone", err, describe(err))
	}
	if got := pgJobs(t, pg); !maps.Equal(got, jobs) {
		t.Errorf("jobs on PostgreSQL %v, on SQLite %v", got, jobs)
	}
	pg.mustSync(id, 0, 0)
	srv.WriteFile(t, "Photos/IMG_new.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 50, Height: 30, Seed: 9}))
	pg.mustSync(id, 1, 0)
	if _, err := pg.cli("", "index"); err != nil {
		t.Fatalf("index on PostgreSQL: %v", err)
	}
	if j, _ := pg.upload(id, "--folder", "/Up", "--all"); j.Uploaded != 1 || j.Skipped != 3 {
		t.Errorf("upload on PostgreSQL: %+v; want the new photo sent and the 3 recorded uploads skipped", j)
	}
	if next := pg.addAccount(srv.URL, srv.Username, srv.Password); next <= removed || next <= id {
		t.Errorf("a new account on PostgreSQL got ID %d; IDs %d (removed) and %d were given on SQLite", next, removed, id)
	}
	if _, err := os.Stat(sqliteFile); err == nil {
		t.Error("photosync on PHOTOSYNC_DATABASE_URL created a SQLite database")
	}
	out, err = pg.cli("", "migrate-store", "--force")
	if err == nil || !strings.Contains(describe(err), "no SQLite database") {
		t.Errorf("migrate-store without a SQLite file: %v (%s)\n%s", err, describe(err), out)
	}
}
