package main

import (
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// pgServer is a `photosync serve` process of its own.
type pgServer struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// pgStartServe starts the photosync binary's serve with env and waits
// until it listens.
func pgStartServe(t *testing.T, bin string, env map[string]string) *pgServer {
	t.Helper()
	s := &pgServer{cmd: exec.Command(bin, "serve"), out: &syncBuffer{}}
	s.cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		s.cmd.Env = append(s.cmd.Env, k+"="+v)
	}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	waitFor(t, "photosync serve to listen", func() bool {
		return strings.Contains(s.out.String(), "listening on") || s.cmd.ProcessState != nil
	})
	return s
}

// pgRun is one row of sync_runs.
type pgRun struct {
	id, account        int64
	started, finished  time.Time // finished is zero for a run that never ended
	complete           bool
	downloaded, failed int
}

// pgRuns reads every sync run by account, oldest first.
func pgRuns(t *testing.T, db *sql.DB) map[int64][]pgRun {
	t.Helper()
	rows, err := db.Query(`SELECT id, account_id, started_at, finished_at, complete, downloaded, failed FROM sync_runs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]pgRun{}
	for rows.Next() {
		var r pgRun
		var started, finished sql.NullInt64
		if err := rows.Scan(&r.id, &r.account, &started, &finished, &r.complete, &r.downloaded, &r.failed); err != nil {
			t.Fatal(err)
		}
		r.started = time.Unix(0, started.Int64)
		if finished.Valid {
			r.finished = time.Unix(0, finished.Int64)
		}
		out[r.account] = append(out[r.account], r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pgHolderPID is the process ID in the holder of a lease ("host:pid:nonce#run"),
// 0 while nobody holds it.
func pgHolderPID(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var holder string
	err := db.QueryRow(`SELECT holder FROM leases WHERE name = $1`, name).Scan(&holder)
	if err == sql.ErrNoRows {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(holder, ":")
	if len(parts) < 3 {
		t.Fatalf("lease holder %q is not host:pid:nonce", holder)
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil {
		t.Fatalf("lease holder %q: %v", holder, err)
	}
	return pid
}

// TestTwoInstancesShareOnePostgres: two `photosync serve` processes on one
// PostgreSQL database and one library sync the same four due accounts
// (every minute, the shortest interval), each on a server of its own.
// Every account is synced once per interval, never by both at once; the
// instance syncing the slow account is killed with SIGKILL in the middle
// of its run, and the other finishes the account's files after the lease
// expired, at the account's next turn. Takes about 70 seconds: the
// interval is a minute.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	bin := buildPhotosync(t)
	url := pgtest.Start(t).NewDatabase(t)
	env := map[string]string{
		"PHOTOSYNC_DATABASE_URL":   url,
		"PHOTOSYNC_SECRET_KEY":     strings.Repeat("ab", 32),
		"PHOTOSYNC_LIBRARY":        t.TempDir(),
		"PHOTOSYNC_DATA":           t.TempDir(),
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-scaleout",
		"PHOTOSYNC_LOG_LEVEL":      "info",
		"PHOTOSYNC_LEASE_TTL":      "3s",
		"PHOTOSYNC_SCHEDULER_TICK": "1s",
		"PHOTOSYNC_INDEX_INTERVAL": "0",
		"PHOTOSYNC_ADDR":           "127.0.0.1:0",
	}
	setup := &upEnv{t: t, env: env}

	// Three quick accounts and a slow one, download only: each server's
	// files have names of their own in the shared library.
	const fast, slowFiles = 3, 40
	var ids []int64
	for k := range fast {
		srv := davtest.StartXNet(t)
		for i := range 3 {
			srv.WriteFile(t, fmt.Sprintf("Photos/A%d_IMG_%d.jpg", k, i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 40 + i, Height: 30, Seed: int64(10*k + i)}))
		}
		ids = append(ids, setup.syncAccount(davSide{url: srv.URL, user: srv.Username, pass: srv.Password}, "/Photos",
			"--sync-interval", "1m", "--sync-upload=false"))
	}
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Photos/") {
				time.Sleep(400 * time.Millisecond) // a slow server, not synchronisation
			}
			next.ServeHTTP(w, r)
		})
	}))
	for i := range slowFiles {
		nc.WriteFile(t, fmt.Sprintf("Photos/SLOW_%03d.jpg", i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 60 + i, Height: 40, Seed: int64(100 + i)}))
	}
	slow := setup.syncAccount(davSide{url: nc.BaseURL, user: nc.LoginName, pass: nc.Password}, "/Photos",
		"--sync-interval", "1m", "--sync-upload=false")
	ids = append(ids, slow)

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	servers := map[int]*pgServer{}
	for range 2 {
		own := maps.Clone(env)
		own["PHOTOSYNC_DATA"] = t.TempDir() // thumbnails; the state is in PostgreSQL
		s := pgStartServe(t, bin, own)
		servers[s.cmd.Process.Pid] = s
	}
	start := time.Now()

	// Kill whoever syncs the slow account, some files into its run.
	slowLease := "sync:" + strconv.FormatInt(slow, 10)
	slowDone := func() int {
		n := 0
		for p := range tree(t, env["PHOTOSYNC_LIBRARY"]) {
			if strings.Contains(p, "SLOW_") && !strings.Contains(p, "/.") {
				n++
			}
		}
		return n
	}
	waitFor(t, "the slow account's run to download some files", func() bool { return slowDone() >= 6 })
	pid := pgHolderPID(t, db, slowLease)
	victim, ok := servers[pid]
	if !ok {
		t.Fatalf("the slow account's lease is held by process %d, not by either instance", pid)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()
	killedAt := time.Now()
	delete(servers, pid)
	if n := slowDone(); n >= slowFiles {
		t.Fatalf("the slow run finished (%d files) before the kill", n)
	}
	var survivor *pgServer
	for _, s := range servers {
		survivor = s
	}

	// The survivor does every account's second interval, the slow one's
	// unfinished run included.
	var runs map[int64][]pgRun
	done := testkit.Poll(2*time.Minute, 200*time.Millisecond, func() bool {
		runs = pgRuns(t, db)
		for _, id := range ids {
			rs := runs[id]
			if len(rs) < 2 || !rs[len(rs)-1].complete || rs[len(rs)-1].finished.IsZero() {
				return false
			}
		}
		return true
	})
	if !done {
		t.Fatalf("after %v the runs are %+v\nsurvivor's log:\n%s", time.Since(start), runs, survivor.out.String())
	}
	survivor.cmd.Process.Signal(syscall.SIGTERM)
	survivor.cmd.Wait()

	runs = pgRuns(t, db)
	for _, id := range ids {
		rs := runs[id]
		if id == slow && len(rs) < 2 || id != slow && len(rs) != 2 {
			t.Errorf("account %d ran %d times in two intervals: %+v", id, len(rs), rs)
			continue
		}
		first, second := rs[0], rs[1]
		// The slow account's killed run is taken up as soon as its lease
		// runs out (checked below), not an interval later.
		if gap := second.started.Sub(first.started); gap < time.Minute && id != slow {
			t.Errorf("account %d: two runs %v apart, within one interval of a minute", id, gap)
		}
		end := first.finished
		if end.IsZero() {
			end = killedAt
		}
		if !end.Before(second.started) {
			t.Errorf("account %d: the second run started at %v, before the first ended at %v", id, second.started, end)
		}
		if id != slow && (!first.complete || first.downloaded != 3 || second.downloaded != 0) {
			t.Errorf("account %d: runs %+v; want 3 files then none", id, rs)
		}
	}
	killed, after := runs[slow][0], runs[slow][1]
	if killed.complete || !killed.finished.IsZero() {
		t.Errorf("the killed run is recorded as %+v; want it unfinished", killed)
	}
	// The lease (3s) was renewed at most a second before the kill: it ran
	// out 2–3 s after. The next tick (1s) of the survivor takes the
	// interrupted run up then, rather than at the next interval.
	if !after.started.After(killedAt.Add(2 * time.Second)) {
		t.Errorf("the slow account's run started again at %v, within the lease of the run killed at %v", after.started, killedAt)
	}
	if after.started.After(killedAt.Add(30 * time.Second)) {
		t.Errorf("the slow account's interrupted run was taken up only at %v, %v after the kill; want as soon as its lease ran out",
			after.started, after.started.Sub(killedAt))
	}
	if after.failed != 0 || after.downloaded == 0 || after.downloaded >= slowFiles {
		t.Errorf("the run after the kill: %+v; want the files the killed run left", after)
	}
	if n := slowDone(); n != slowFiles {
		t.Errorf("the library holds %d of the slow server's %d files", n, slowFiles)
	}
	lib := tree(t, env["PHOTOSYNC_LIBRARY"])
	noHidden(t, lib)
	if want := fast*3 + slowFiles; len(lib) != want {
		t.Errorf("the shared library holds %d files, want %d: %v", len(lib), want, slices.Sorted(mapKeys(lib)))
	}
	t.Logf("two instances, %d accounts, one killed at %v: done after %v", len(ids), killedAt.Sub(start), time.Since(start))
}
