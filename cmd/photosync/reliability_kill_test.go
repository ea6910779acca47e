package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
	"github.com/photosync/photosync/internal/testkit"
)

// relSlowDAV starts an x/net WebDAV server, which writes an upload in
// place (a killed upload leaves a partial file, the hard case), slowed
// down so that a sync takes long enough to be killed at many points.
func relSlowDAV(t *testing.T) (*davtest.Server, davSide) {
	t.Helper()
	srv := davtest.StartXNet(t)
	target := srv.URL
	// A slow network in front of it, through the fault proxy with no
	// fault: every request waits up to 60 ms.
	p := faultproxy.Start(t, target, faultproxy.Config{Latency: 60 * time.Millisecond})
	side := davSide{name: "x/net", url: p.URL, user: srv.Username, pass: srv.Password, dir: srv.Dir}
	return srv, side
}

// relKillFiles writes the same files on a server (half) and in a library
// (the other half).
func relKillFiles(t *testing.T, srv *davtest.Server, e *upEnv, n int) {
	t.Helper()
	for i := range n {
		var data []byte
		if i%4 == 0 {
			data = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64 + i, Height: 48, Seed: int64(i)})
		} else {
			data = mediatest.RAW(t, int64(i), int64(2<<10+(i*7919)%(40<<10)))
		}
		ext := map[bool]string{true: ".JPG", false: ".DNG"}[i%4 == 0]
		name := fmt.Sprintf("%02d/IMG_%04d%s", i%5, i, ext)
		if i%2 == 0 {
			srv.WriteFile(t, "Photos/"+name, data)
		} else {
			e.write("mine/"+name, data)
		}
	}
}

// relRunSync runs `photosync sync` as a process until it ends, waiting
// out the lease of a killed one, and returns its output.
func relRunSync(t *testing.T, bin string, e *upEnv, id int64) string {
	t.Helper()
	var out *bytes.Buffer
	var err error
	ran := testkit.Poll(time.Minute, 100*time.Millisecond, func() bool { // polling the lease
		var cmd *exec.Cmd
		cmd, out = startSync(t, bin, e, id)
		if err = cmd.Wait(); err != nil && !strings.Contains(out.String(), "already running") {
			t.Fatalf("photosync sync: %v\n%s", err, out)
		}
		return err == nil
	})
	if !ran {
		t.Fatalf("photosync sync: %v\n%s", err, out)
	}
	return out.String()
}

// TestSyncSurvivesRandomKills: a two-way sync run as a real photosync
// process is killed with SIGKILL at seeded random points (3 times in the
// short run, 20 in the soak) and started again each time; its end state
// equals an undisturbed run's on both sides, byte for byte, with no
// temporary or partial file in the library, no copy " (1)" of anything on
// either side, and an intact database.
func TestSyncSurvivesRandomKills(t *testing.T) {
	kills := faultproxy.Scale(3, 20)
	files := faultproxy.Scale(40, 80)
	seed := uint64(faultproxy.Scale(7, 8))
	bin := buildPhotosync(t)
	start := time.Now()

	// The undisturbed run.
	calmSrv, calmSide := relSlowDAV(t)
	calm := newUpEnv(t)
	calm.env["PHOTOSYNC_LEASE_TTL"] = "1s"
	relKillFiles(t, calmSrv, calm, files)
	calmID := calm.syncAccount(calmSide, "/Photos")
	t0 := time.Now()
	relRunSync(t, bin, calm, calmID)
	calmTook := time.Since(t0)
	wantLib, wantSrv := tree(t, calm.library()), tree(t, calmSrv.Dir)
	if len(wantLib) != files || len(wantSrv) != files {
		t.Fatalf("the undisturbed run left %d files in the library and %d on the server, want %d each", len(wantLib), len(wantSrv), files)
	}

	// The run that is killed, at points spread over an undisturbed run's
	// time.
	srv, side := relSlowDAV(t)
	e := newUpEnv(t)
	e.env["PHOTOSYNC_LEASE_TTL"] = "1s"
	relKillFiles(t, srv, e, files)
	id := e.syncAccount(side, "/Photos")
	rng := rand.New(rand.NewPCG(seed, 1))
	killed, finished := 0, 0
	for killed < kills {
		cmd, out := startSync(t, bin, e, id)
		at := time.Duration(rng.Int64N(int64(calmTook)))
		timer := time.AfterFunc(at, func() { cmd.Process.Kill() }) // SIGKILL
		err := cmd.Wait()
		timer.Stop()
		switch {
		case err == nil:
			finished++ // it ended before the kill; the next run has less to do
			if finished > 3*kills {
				t.Fatalf("the sync keeps finishing before its kill (%d kills of %d)", killed, kills)
			}
		case strings.Contains(out.String(), "already running"):
			time.Sleep(100 * time.Millisecond) // polling the lease, not synchronisation
		case cmd.ProcessState.String() == "signal: killed":
			killed++
			noHidden(t, relPlain(tree(t, e.library())))
		default:
			t.Fatalf("photosync sync: %v\n%s", err, out)
		}
		if finished > 0 && killed < kills {
			// Something left to kill: more files, as a person adds them.
			e.write(fmt.Sprintf("later/IMG_%04d.DNG", killed), mediatest.RAW(t, int64(1000+killed), 4<<10))
			calm.write(fmt.Sprintf("later/IMG_%04d.DNG", killed), mediatest.RAW(t, int64(1000+killed), 4<<10))
			finished = 0
		}
	}
	relRunSync(t, bin, e, id)
	relRunSync(t, bin, calm, calmID) // the files added on the way
	wantLib, wantSrv = tree(t, calm.library()), tree(t, calmSrv.Dir)

	got, gotSrv := tree(t, e.library()), tree(t, srv.Dir)
	noHidden(t, got)
	relSameTree(t, "library", got, wantLib)
	relSameTree(t, "server", gotSrv, wantSrv)
	checkIntegrity(t, filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db"))
	j, err := e.sync(id)
	if err != nil || j.Downloaded != 0 || j.Uploaded != 0 || j.Failed != 0 {
		t.Errorf("a sync after the kills: %v, %+v; want nothing to do", err, j)
	}
	faultproxy.Report(t, "SIGKILL during sync", fmt.Sprintf("%d kills at seeded random points (seed %d), %d files two-way, end state equal to an undisturbed run, integrity_check ok, 0 partial, 0 duplicated, %.0f s",
		killed, seed, len(wantLib), time.Since(start).Seconds()))
}

// relPlain is a tree without its staging folder, whose temporary files a
// killed run may leave for the next run to remove.
func relPlain(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for p, d := range files {
		if !strings.Contains(p, ".photosync-") {
			out[p] = d
		}
	}
	return out
}

// relSameTree fails unless two trees hold the same paths with the same
// bytes, and no path is a numbered copy.
func relSameTree(t *testing.T, side string, got, want map[string][]byte) {
	t.Helper()
	for p, data := range got {
		if strings.Contains(p, " (") {
			t.Errorf("%s: %s is a second copy", side, p)
		}
		if w, ok := want[p]; !ok {
			t.Errorf("%s: %s (%d bytes) is not in the undisturbed run's", side, p, len(data))
		} else if !bytes.Equal(w, data) {
			t.Errorf("%s: %s has %d bytes, the undisturbed run's %d", side, p, len(data), len(w))
		}
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("%s: %s is missing", side, p)
		}
	}
	if t.Failed() {
		t.Logf("%s: got %v", side, slices.Sorted(mapKeys(got)))
	}
}
