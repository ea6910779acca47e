package load

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestPhotoListUnderLoad: a library of sc.photos photos indexed by a
// `photosync serve` process; while syncs of a WebDAV account run one
// after another (each bringing 20 new photos down), sc.conns connections
// from this process ask for pages of the photo list for sc.duration. No
// request may fail, every sync must finish done, and the server's peak
// resident memory must stay under sc.maxHWM. Latencies are reported, not
// asserted.
func TestPhotoListUnderLoad(t *testing.T) {
	sc := currentScale()
	bin := buildPhotosync(t)
	lib := t.TempDir()
	t0 := time.Now()
	writeLibrary(t, lib, sc.photos)
	generated := time.Since(t0)

	xs := davtest.StartXNet(t)
	round := 0
	addRemote := func() {
		for i := range 20 {
			xs.WriteFile(t, fmt.Sprintf("Photos/round%03d/DSC_%02d.jpg", round, i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: int64(1_000_000 + round*100 + i)}))
		}
		round++
	}
	addRemote()

	t0 = time.Now()
	srv := startServer(t, bin, "PHOTOSYNC_DATA="+filepath.Join(t.TempDir(), "data"), "PHOTOSYNC_LIBRARY="+lib,
		"PHOTOSYNC_ADMIN_PASSWORD=load-admin", "PHOTOSYNC_LOG_LEVEL=warn", "PHOTOSYNC_INDEX_INTERVAL=0")
	var tok struct{ Token string }
	if st := srv.call("POST", "/api/v1/session", map[string]string{"password": "load-admin"}, &tok); st != 200 {
		t.Fatalf("sign-in: %d", st)
	}
	srv.token = tok.Token
	// The index at start: wait until every photo is listed.
	indexedAll := testkit.Poll(10*time.Minute, 100*time.Millisecond, func() bool {
		var page struct{ Total int }
		st := srv.call("GET", "/api/v1/photos?count=1", nil, &page)
		return st == 200 && page.Total >= sc.photos
	})
	if !indexedAll {
		t.Fatalf("the library was not indexed in time; log:\n%.3000s", srv.log())
	}
	indexed := time.Since(t0)
	// The index at start found no problem in the generated files.
	var jobs struct {
		Jobs []struct{ Kind, State string }
	}
	srv.call("GET", "/api/v1/jobs?kind=index", nil, &jobs)
	if len(jobs.Jobs) == 0 {
		t.Fatal("no index job")
	}
	ended := testkit.Poll(time.Minute, 50*time.Millisecond, func() bool {
		if jobs.Jobs[0].State == "done" {
			return true
		}
		if jobs.Jobs[0].State != "running" && jobs.Jobs[0].State != "queued" {
			t.Fatalf("the index at start ended %q: the generated library has problems", jobs.Jobs[0].State)
		}
		srv.call("GET", "/api/v1/jobs?kind=index", nil, &jobs)
		return jobs.Jobs[0].State == "done"
	})
	if !ended {
		t.Fatalf("the index at start ended %q: the generated library has problems", jobs.Jobs[0].State)
	}
	rssBefore := srv.memory("VmRSS")

	var acct struct{ ID int64 }
	if st := srv.call("POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": xs.URL, "username": xs.Username, "password": xs.Password,
		"sync_enabled": true, "sync_folder": "/Photos", "sync_download": true, "sync_upload": false}, &acct); st != 201 {
		t.Fatalf("connect: %d", st)
	}

	// Syncs, one after another, until the load ends.
	ctx, cancel := context.WithCancel(t.Context())
	var syncs, syncFailures, seenRunning atomic.Int64
	var loadOn atomic.Bool
	syncDone := make(chan string, 1)
	go func() {
		for ctx.Err() == nil {
			var job struct {
				ID    int64
				State string
				Error string
			}
			if st := srv.call("POST", fmt.Sprintf("/api/v1/accounts/%d/sync", acct.ID), nil, &job); st != 202 {
				syncDone <- fmt.Sprintf("start sync: %d", st)
				return
			}
			for job.State == "queued" || job.State == "running" {
				if job.State == "running" && loadOn.Load() {
					seenRunning.Add(1)
				}
				time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
				srv.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), nil, &job)
			}
			if job.State != "done" {
				syncFailures.Add(1)
				t.Errorf("sync job %d ended %s: %s", job.ID, job.State, job.Error)
			}
			syncs.Add(1)
			addRemote()
		}
		syncDone <- ""
	}()

	loadCtx, stopLoad := context.WithTimeout(ctx, sc.duration)
	defer stopLoad()
	loadOn.Store(true)
	res := hammer(loadCtx, srv.url, srv.token, sc.conns, sc.photos)
	loadOn.Store(false)
	cancel()
	if msg := <-syncDone; msg != "" {
		t.Fatal(msg)
	}
	hwm := srv.memory("VmHWM")

	rate := float64(res.requests) / res.elapsed.Seconds()
	t.Logf("%s: %d photos generated in %v, indexed by serve in %v", sc.name, sc.photos, generated.Round(time.Millisecond), indexed.Round(time.Millisecond))
	t.Logf("%d connections for %v: %d requests (%.0f/s), %d errors, p50 %v, p99 %v, max %v",
		sc.conns, sc.duration, res.requests, rate, res.errors, res.percentile(0.50), res.percentile(0.99), res.percentile(1))
	t.Logf("syncs finished during the load: %d (%d polls saw one running); server RSS before the load %d MiB, peak (VmHWM) %d MiB",
		syncs.Load(), seenRunning.Load(), rssBefore>>20, hwm>>20)
	report(t, fmt.Sprintf("load (%s): photo list, %d photos, %d connections, %v, sync running", sc.name, sc.photos, sc.conns, sc.duration),
		fmt.Sprintf("%d requests (%.0f/s), %d errors, p50 %v, p99 %v, %d syncs done meanwhile, server peak RSS %d MiB",
			res.requests, rate, res.errors, res.percentile(0.50).Round(10*time.Microsecond), res.percentile(0.99).Round(10*time.Microsecond), syncs.Load(), hwm>>20))

	if res.errors > 0 {
		t.Errorf("%d of %d requests failed, first: %q", res.errors, res.requests, res.firstErrs)
	}
	if res.requests < sc.conns {
		t.Errorf("only %d requests in %v", res.requests, sc.duration)
	}
	if seenRunning.Load() == 0 {
		t.Error("no sync was seen running during the load")
	}
	if syncFailures.Load() > 0 {
		t.Errorf("%d syncs did not finish done", syncFailures.Load())
	}
	if hwm > sc.maxHWM {
		t.Errorf("the server's peak memory is %d MiB, over the bound of %d MiB", hwm>>20, sc.maxHWM>>20)
	}
}
