//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
)

// soakWorld is the sync and upload use cases wired as in production (a
// SQLite file, the library on disk, the WebDAV client) to an x/net WebDAV
// server behind the fault proxy.
type soakWorld struct {
	lib      string
	srv      *davtest.Server
	proxy    *faultproxy.Proxy
	indexer  *app.Indexer
	syncer   *app.Syncer
	uploader *app.Uploader
	accts    *app.Accounts
	account  domain.Account
}

// soakTimeout is the account's timeout; the proxy's stalls last longer.
const soakTimeout = time.Second

func newSoakWorld(t *testing.T, seed uint64, rate float64) *soakWorld {
	t.Helper()
	srv := davtest.StartXNet(t)
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{Seed: seed, Stall: 30 * soakTimeout, Latency: 2 * time.Millisecond})
	// Connected while the proxy passes everything: connecting is not
	// what is tried here.
	w := newRealWorld(t, t.TempDir(), proxy.URL, srv.Username, srv.Password)
	w.srv, w.proxy = srv, proxy
	proxy.SetRate(rate)
	return w
}

// newRealWorld wires the use cases to a library folder lib, a fresh
// SQLite file and the WebDAV server at url, and connects an account with
// a two-way sync of /Photos.
func newRealWorld(t *testing.T, lib, url, user, pass string) *soakWorld {
	t.Helper()
	ctx := context.Background()
	w := &soakWorld{lib: lib}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secrets.NewBox(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	clock := system.Clock{}
	p := apptest.Ports(t, w.lib, clock)
	p.Accounts, p.Jobs, p.Library, p.Uploads = sqlite.NewAccountStore(db), sqlite.NewJobStore(db), sqlite.NewLibraryStore(db), sqlite.NewUploadStore(db)
	p.Sync, p.Leases, p.Proofs = sqlite.NewSyncStore(db), sqlite.NewLeaseStore(db), sqlite.NewProofStore(db)
	p.Secrets, p.Connector, p.Log = box, webdav.NewConnector(nil), log
	a := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "soak", RetryDelay: 20 * time.Millisecond}, UploadRetryDelay: 20 * time.Millisecond})
	accounts := a.Accounts
	w.accts, w.indexer, w.syncer, w.uploader = accounts, a.Indexer, a.Syncer, a.Uploader
	w.account, err = accounts.Connect(ctx, app.AccountInput{
		URL: ptr(url), Username: ptr(user), Password: ptr(pass),
		Timeout: ptr(soakTimeout), RetryLimit: ptr(domain.MaxRetryLimit),
		SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), UploadEnabled: ptr(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// soakFiles makes n small files (1 to 20 KB, a few of 200 to 600 KB) below
// prefix: JPEGs and RAW files, each of its own photo, spread over folders.
func soakFiles(t *testing.T, prefix string, n int, seed int64) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte, n)
	for i := range n {
		s := seed + int64(i)
		name := fmt.Sprintf("%s/%02d/IMG_%05d", prefix, i%17, s)
		switch {
		case i%97 == 0:
			out[name+".DNG"] = mediatest.RAW(t, s, 200<<10+s%400<<10)
		case i%3 == 0:
			out[name+".JPG"] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 24 + int(s%40), Height: 24, Seed: s})
		default:
			out[name+".DNG"] = mediatest.RAW(t, s, 1<<10+(s*7919)%(19<<10))
		}
	}
	return out
}

// soakTree reads every file below dir, hidden ones too.
func soakTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// soakSame fails unless a side holds exactly the files wanted, each
// byte-identical: no file missing, none extra (a temporary file, a partial
// upload, a copy " (1)"), none empty or cut short.
func soakSame(t *testing.T, side string, got, want map[string][]byte) {
	t.Helper()
	bad := 0
	for p, data := range want {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing", side, p)
		case len(g) == 0:
			t.Errorf("%s: %s is empty", side, p)
		case !bytes.Equal(g, data):
			t.Errorf("%s: %s has %d bytes, not the %d of the original", side, p, len(g), len(data))
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatalf("%s: more files wrong", side)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: %s should not be there (%d bytes)", side, p, len(got[p]))
			if bad++; bad > 10 {
				t.Fatalf("%s: more files wrong", side)
			}
		}
	}
}

func soakBytes(files map[string][]byte) int64 {
	var n int64
	for _, d := range files {
		n += int64(len(d))
	}
	return n
}

// TestSyncThroughFaults: a two-way sync of 1,000 files (half on the
// server, half in the library) through the fault proxy ends, within a
// bounded number of runs, with every file byte-identical on both sides,
// nothing else on either side, and run counts that add up to exactly what
// moved; a run after the faults end moves nothing.
func TestSyncThroughFaults(t *testing.T) {
	n := faultproxy.Scale(1000, 5000)
	for _, seed := range []uint64{1, 2, 3}[:faultproxy.Scale(1, 3)] {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			start := time.Now()
			const maxRuns = 8
			w := newSoakWorld(t, seed, 0.08)
			remote := soakFiles(t, "Photos/from-server", n/2, int64(seed)*100000)
			local := soakFiles(t, "mine", n-n/2, int64(seed)*100000+50000)
			for p, data := range remote {
				w.srv.WriteFile(t, p, data)
			}
			for p, data := range local {
				mediatest.WriteFile(t, w.lib, p, data)
			}
			ctx := context.Background()
			var down, up, later, runs int
			var bytesDown, bytesUp int64
			for runs < maxRuns {
				runs++
				run, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
				if err != nil && domain.ErrorCode(err) != domain.EUNAVAILABLE {
					t.Fatalf("run %d: %v", runs, err)
				}
				down, up = down+run.Downloaded, up+run.Uploaded
				bytesDown, bytesUp = bytesDown+run.BytesDown, bytesUp+run.BytesUp
				if runs > 1 {
					// A file stored whole by a send whose proof (the
					// read-back) the faults broke, and whose removal they
					// broke too, counted as failed; a later run proves it
					// there by its SHA-1 and pairs it, moving nothing
					// (counted skipped), as the upload's soak counts it.
					later += run.Skipped
				}
				t.Logf("run %d: %d down, %d up, %d skipped, %d failed, complete %v, %v", runs, run.Downloaded, run.Uploaded, run.Skipped, run.Failed, run.Complete, err)
				if err == nil && run.Complete && run.Failed == 0 && down+up+later == n {
					break
				}
			}
			faults := w.proxy.Summary()
			w.proxy.SetRate(0)
			if sat := w.proxy.Outlasted(); len(sat) > 0 {
				t.Errorf("stalls sat out instead of ended after the %s timeout: %q", soakTimeout, sat)
			}
			if down != len(remote) || up+later != len(local) {
				t.Errorf("after %d runs the counts say %d down, %d up and %d found proven later; want %d and %d", runs, down, up, later, len(remote), len(local))
			}
			if bytesDown != soakBytes(remote) || (later == 0 && bytesUp != soakBytes(local)) || bytesUp > soakBytes(local) {
				t.Errorf("bytes counted: %d down, %d up; moved %d and %d", bytesDown, bytesUp, soakBytes(remote), soakBytes(local))
			}
			wantLib, wantSrv := map[string][]byte{}, map[string][]byte{}
			for p, data := range remote {
				wantSrv[p] = data
				wantLib["nextcloud/"+strings.TrimPrefix(p, "Photos/")] = data
			}
			for p, data := range local {
				wantLib[p] = data
				wantSrv["Photos/"+p] = data
			}
			soakSame(t, "library", soakTree(t, w.lib), wantLib)
			soakSame(t, "server", soakTree(t, w.srv.Dir), wantSrv)
			calm, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
			if err != nil || calm.Downloaded != 0 || calm.Uploaded != 0 || calm.Failed != 0 {
				t.Errorf("a run after the faults: %+v, %v; want nothing moved", calm, err)
			}
			faultproxy.Report(t, "fault proxy: two-way sync", fmt.Sprintf("%d files (seed %d), %d runs, %s, 0 lost, 0 duplicated, %.0f s",
				n, seed, runs, faults, time.Since(start).Seconds()))
		})
	}
}

// TestUploadThroughFaults: an upload of 1,000 files through the fault
// proxy, started again while files fail, ends within a bounded number of
// runs with every file byte-identical on the server, nothing else there,
// and job counts that add up to exactly what was sent.
func TestUploadThroughFaults(t *testing.T) {
	n := faultproxy.Scale(1000, 5000)
	for _, seed := range []uint64{11, 12, 13}[:faultproxy.Scale(1, 3)] {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			start := time.Now()
			const maxRuns = 8
			w := newSoakWorld(t, seed, 0.08)
			local := soakFiles(t, "trip", n, int64(seed)*100000)
			for p, data := range local {
				mediatest.WriteFile(t, w.lib, p, data)
			}
			ctx := context.Background()
			if _, err := w.indexer.Index(ctx, nil); err != nil {
				t.Fatal(err)
			}
			req := app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.DefaultUploadOptions("/Up")}
			var sent, later, runs int
			var bytesSent int64
			for runs < maxRuns {
				runs++
				p := app.NewProgress(domain.Job{}, nil)
				err := w.uploader.Upload(ctx, req, p)
				j := p.Snapshot()
				if err != nil && domain.ErrorCode(err) != domain.EUNAVAILABLE {
					t.Fatalf("upload %d: %v", runs, err)
				}
				if err == nil && j.FilesDone != j.FilesTotal {
					t.Errorf("upload %d: %d of %d files done", runs, j.FilesDone, j.FilesTotal)
				}
				known := sent + later // on the server before this run: skipped again
				sent, bytesSent = sent+j.Uploaded, bytesSent+j.BytesDone
				if runs > 1 {
					// A file stored whole by a send whose proof (the
					// read-back) the faults broke counted as failed; a
					// later run proves it there and skips it.
					later += j.Skipped - known
				}
				t.Logf("upload %d: %d sent, %d skipped, %d failed, %v", runs, j.Uploaded, j.Skipped, j.Failed, err)
				if err == nil && j.Failed == 0 {
					break
				}
			}
			faults := w.proxy.Summary()
			w.proxy.SetRate(0)
			if sat := w.proxy.Outlasted(); len(sat) > 0 {
				t.Errorf("stalls sat out instead of ended after the %s timeout: %q", soakTimeout, sat)
			}
			if sent+later != n || (later == 0 && bytesSent != soakBytes(local)) || bytesSent > soakBytes(local) {
				t.Errorf("after %d runs the jobs say %d files sent and %d found proven later, %d bytes sent; want %d files and %d bytes",
					runs, sent, later, bytesSent, n, soakBytes(local))
			}
			want := map[string][]byte{}
			for p, data := range local {
				want["Up/"+filepath.Base(p)] = data
			}
			soakSame(t, "server", soakTree(t, w.srv.Dir), want)
			p := app.NewProgress(domain.Job{}, nil)
			if err := w.uploader.Upload(ctx, req, p); err != nil || p.Snapshot().Uploaded != 0 || p.Snapshot().Skipped != n {
				t.Errorf("an upload after the faults: %+v, %v; want all %d skipped", p.Snapshot(), err, n)
			}
			faultproxy.Report(t, "fault proxy: upload", fmt.Sprintf("%d files (seed %d), %d runs, %s, 0 lost, 0 duplicated, %.0f s",
				n, seed, runs, faults, time.Since(start).Seconds()))
		})
	}
}
