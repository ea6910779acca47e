//go:build !wasm

package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/ports"
)

// proofWorld is the sync, upload, backup status and verify use cases
// wired as in production to a real WebDAV server.
type proofWorld struct {
	lib       string
	indexer   *app.Indexer
	syncer    *app.Syncer
	uploader  *app.Uploader
	backup    *app.Backup
	verifier  *app.Verifier
	restorer  *app.Restorer
	accts     *app.Accounts
	syncStore *sqlite.SyncStore
	account   domain.Account
}

func newProofWorld(t *testing.T, lib string, srv *davtest.Server) *proofWorld {
	return newProofWorldAt(t, lib, srv, system.Clock{}, app.VerifyConfig{})
}

func newProofWorldAt(t *testing.T, lib string, srv *davtest.Server, clock ports.Clock, vcfg app.VerifyConfig, mode ...app.VerifyMode) *proofWorld {
	t.Helper()
	ctx := context.Background()
	w := &proofWorld{lib: lib}
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
	proofs := sqlite.NewProofStore(db)
	syncStore := sqlite.NewSyncStore(db)
	cfg := app.SyncConfig{Holder: "proof", RetryDelay: 20 * time.Millisecond}
	if len(mode) > 0 {
		cfg.Verify = mode[0]
	}
	p := apptest.Ports(t, lib, clock)
	p.Accounts, p.Jobs, p.Library, p.Uploads = sqlite.NewAccountStore(db), sqlite.NewJobStore(db), sqlite.NewLibraryStore(db), sqlite.NewUploadStore(db)
	p.Sync, p.Leases, p.Proofs = syncStore, sqlite.NewLeaseStore(db), proofs
	p.Secrets, p.Connector, p.Log = box, webdav.NewConnector(nil), log
	a := apptest.New(t, p, app.Settings{Sync: cfg, Verify: vcfg})
	w.accts, w.indexer, w.syncer, w.uploader = a.Accounts, a.Indexer, a.Syncer, a.Uploader
	w.syncStore, w.backup, w.verifier, w.restorer = syncStore, a.Backup, a.Verifier, a.Restorer
	w.account, err = w.accts.Connect(ctx, app.AccountInput{
		URL: ptr(srv.URL), Username: ptr(srv.Username), Password: ptr(srv.Password),
		Timeout: ptr(10 * time.Second), SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), UploadEnabled: ptr(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *proofWorld) sync(t *testing.T) {
	t.Helper()
	if _, err := runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true)); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func (w *proofWorld) status(t *testing.T) domain.BackupStatus {
	t.Helper()
	st, err := w.backup.Status(context.Background(), w.account.ID)
	if err != nil {
		t.Fatalf("backup status: %v", err)
	}
	return st
}

func (w *proofWorld) verify(t *testing.T, opts app.VerifyOptions) app.VerifyReport {
	t.Helper()
	rep, err := w.verifier.Verify(context.Background(), w.account.ID, opts, nil)
	if err != nil {
		t.Fatalf("verify %+v: %v", opts, err)
	}
	return rep
}

func deleteOnServer(t *testing.T, srv *davtest.Server, p string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, srv.URL+strings.TrimPrefix(escapeDAV(p), "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(srv.Username, srv.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("DELETE %s: %s", p, resp.Status)
	}
}

func stateOf(st domain.BackupStatus, lp string) domain.BackupFile {
	for _, f := range st.All {
		if f.Path == lp {
			return f
		}
	}
	return domain.BackupFile{}
}

// The proof of backup end to end: verified right after a backup; a file
// deleted, truncated and altered on the server becomes a gap with its
// cause at the next verify; repair makes them verified again, keeping the
// server's differing copies.
func TestBackupStatusVerifyRepairOnRealServers(t *testing.T) {
	for name, srv := range davServers(t) {
		t.Run(name, func(t *testing.T) {
			lib := t.TempDir()
			w := newProofWorld(t, lib, srv)
			mod := time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)
			photos := map[string][]byte{}
			for i, n := range []string{"deleted", "truncated", "altered", "kept"} {
				photos[n] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 200, Height: 150, Seed: int64(70 + i)})
				writeLib(t, lib, "2023/"+n+".jpg", photos[n], mod)
			}
			w.sync(t)
			st := w.status(t)
			wantMethod := domain.ProofReadBack
			if name == "nextcloud" {
				wantMethod = domain.ProofServerHash
			}
			if st.Files != 4 || st.Verified != 4 {
				t.Fatalf("right after the backup: %d files, %d verified (%+v); want 4 and 4", st.Files, st.Verified, st.All)
			}
			for _, f := range st.All {
				if f.Method != wantMethod || f.ProvenAt.IsZero() {
					t.Errorf("%s proven by %q at %v, want %s", f.Path, f.Method, f.ProvenAt, wantMethod)
				}
			}
			if len(st.ByYear) != 1 || st.ByYear[0].Year != 2023 || st.ByYear[0].Verified != 4 {
				t.Errorf("by year: %+v", st.ByYear)
			}
			if rep := w.verify(t, app.VerifyOptions{}); len(rep.Gaps) != 0 || rep.Checked != 4 {
				t.Fatalf("verify of a sound backup: %+v", rep)
			}

			deleteOnServer(t, srv, "/Photos/2023/deleted.jpg")
			otherClient(t, srv, "/Photos/2023/truncated.jpg", photos["truncated"][:2000])
			noise := make([]byte, len(photos["altered"]))
			rand.Read(noise)
			otherClient(t, srv, "/Photos/2023/altered.jpg", noise)

			rep := w.verify(t, app.VerifyOptions{})
			if len(rep.Gaps) != 3 {
				t.Fatalf("verify found %d gaps, want 3: %+v", len(rep.Gaps), rep.Gaps)
			}
			st = w.status(t)
			for n, cause := range map[string]string{"deleted": domain.GapMissing, "truncated": domain.GapTruncated, "altered": domain.GapChanged} {
				f := stateOf(st, "2023/"+n+".jpg")
				if f.State != domain.BackupFailed || !strings.HasPrefix(f.Reason, cause) {
					t.Errorf("%s: %s (%q), want failed: %s", n, f.State, f.Reason, cause)
				}
			}
			if f := stateOf(st, "2023/kept.jpg"); f.State != domain.BackupVerified {
				t.Errorf("the untouched file: %s", f.State)
			}
			if st.Verified != 1 || st.Failed != 3 || len(st.Gaps()) != 3 {
				t.Errorf("status after the damage: %+v", st.BackupCount)
			}

			rep = w.verify(t, app.VerifyOptions{Repair: true})
			if len(rep.Repaired) != 3 || len(rep.Unrepaired) != 0 {
				t.Fatalf("repair: %d repaired, unrepaired %+v", len(rep.Repaired), rep.Unrepaired)
			}
			for n, data := range photos {
				if got := serverFile(t, srv, "/Photos/2023/"+n+".jpg"); !bytes.Equal(got, data) {
					t.Errorf("%s.jpg on the server after repair: %d bytes, not the library's", n, len(got))
				}
			}
			st = w.status(t)
			if st.Verified != 4 || len(st.Gaps()) != 0 {
				t.Errorf("after repair: %+v gaps %+v", st.BackupCount, st.Gaps())
			}
			if name == "rclone" {
				day := time.Now().UTC().Format("2006-01-02")
				for n, data := range map[string][]byte{"truncated": photos["truncated"][:2000], "altered": noise} {
					if got := serverFile(t, srv, "/Photos/.photosync-versions/"+day+"/2023/"+n+".jpg"); !bytes.Equal(got, data) {
						t.Errorf("the server's differing copy of %s.jpg was not kept (%d bytes)", n, len(got))
					}
				}
			}
			// The next sync takes the repaired files as they are.
			w.sync(t)
			if st := w.status(t); st.Verified != 4 {
				t.Errorf("after the next sync: %+v", st.BackupCount)
			}
			for n, data := range photos {
				if got := readLib(t, lib, "2023/"+n+".jpg"); !bytes.Equal(got, data) {
					t.Errorf("library %s.jpg changed", n)
				}
			}
			// --full proves every file now.
			if rep := w.verify(t, app.VerifyOptions{Full: true}); rep.Read != 4 || len(rep.Gaps) != 0 {
				t.Errorf("full verify: %+v", rep)
			}
		})
	}
}

// Restore: a folder into an empty library folder, byte-identical; the
// whole sync folder into the library, never overwriting: identical files
// skipped, a different one kept and the server's copy written beside it,
// a file gone from the library put back. A target outside the library is
// refused.
func TestRestoreOnRealServers(t *testing.T) {
	for name, srv := range davServers(t) {
		t.Run(name, func(t *testing.T) {
			lib := t.TempDir()
			w := newProofWorld(t, lib, srv)
			ctx := context.Background()
			mod := time.Date(2022, 3, 1, 9, 0, 0, 0, time.UTC)
			photos := map[string][]byte{}
			for i, n := range []string{"2022/a.jpg", "2022/b.jpg", "2022/trip/c.jpg", "2021/d.jpg"} {
				photos[n] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 160, Height: 120, Seed: int64(300 + i)})
				writeLib(t, lib, n, photos[n], mod)
			}
			w.sync(t)

			rep, err := w.restorer.Restore(ctx, w.account.ID, app.RestoreRequest{Path: "/Photos/2022", To: "restored/2022"}, nil)
			if err != nil {
				t.Fatalf("restore into an empty folder: %v", err)
			}
			if len(rep.Restored) != 3 || len(rep.Same) != 0 || len(rep.Beside) != 0 {
				t.Fatalf("restore into an empty folder: %+v", rep)
			}
			for _, n := range []string{"a.jpg", "b.jpg", "trip/c.jpg"} {
				if got := readLib(t, lib, "restored/2022/"+n); !bytes.Equal(got, photos["2022/"+n]) {
					t.Errorf("restored/2022/%s is not byte-identical to the backup", n)
				}
			}

			changed := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 160, Height: 120, Seed: 999})
			writeLib(t, lib, "2022/b.jpg", changed, mod.Add(time.Hour))
			if err := os.Remove(filepath.Join(lib, "2021", "d.jpg")); err != nil {
				t.Fatal(err)
			}
			rep, err = w.restorer.Restore(ctx, w.account.ID, app.RestoreRequest{Path: "/Photos"}, nil)
			if err != nil {
				t.Fatalf("restore into the library: %v", err)
			}
			if rep.To != "" || len(rep.Same) != 2 || len(rep.Restored) != 1 || rep.Restored[0] != "2021/d.jpg" || len(rep.Beside) != 1 {
				t.Fatalf("restore into the library: %+v", rep)
			}
			if got := readLib(t, lib, "2022/b.jpg"); !bytes.Equal(got, changed) {
				t.Errorf("the library's different b.jpg was overwritten")
			}
			if !strings.HasPrefix(rep.Beside[0], "2022/b (conflict ") {
				t.Errorf("the server's b.jpg went to %s", rep.Beside[0])
			}
			if got := readLib(t, lib, rep.Beside[0]); !bytes.Equal(got, photos["2022/b.jpg"]) {
				t.Errorf("the conflict copy is not the server's b.jpg")
			}
			if got := readLib(t, lib, "2021/d.jpg"); !bytes.Equal(got, photos["2021/d.jpg"]) {
				t.Errorf("d.jpg was not put back")
			}
			for _, to := range []string{"../outside", "/etc", ".photosync/versions", "a/../../b"} {
				if _, err := w.restorer.Restore(ctx, w.account.ID, app.RestoreRequest{Path: "/Photos", To: to}, nil); domain.ErrorCode(err) != domain.EINVALID {
					t.Errorf("restore to %q: %v, want EINVALID", to, err)
				}
			}
		})
	}
}

// The rolling share: with a verify every day and PHOTOSYNC_VERIFY_EVERY of
// twelve days, each run reads back about a twelfth of the files, oldest
// proof first, and no file goes unproven for longer than twelve days.
func TestVerifyRollingShare(t *testing.T) {
	srv := davtest.StartRclone(t)
	lib := t.TempDir()
	clock := memory.NewClock(time.Now().UTC().Truncate(time.Second))
	const n, days = 12, 12
	w := newProofWorldAt(t, lib, srv, clock, app.VerifyConfig{Every: days * 24 * time.Hour, Interval: 24 * time.Hour})
	for i := range n {
		writeLib(t, lib, fmt.Sprintf("2020/f%02d.jpg", i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: int64(500 + i)}), time.Now().Add(-time.Hour))
	}
	w.sync(t)
	total := 0
	for day := 1; day <= 3*days; day++ {
		clock.Advance(24 * time.Hour)
		rep := w.verify(t, app.VerifyOptions{})
		if len(rep.Gaps) != 0 {
			t.Fatalf("day %d: gaps %+v", day, rep.Gaps)
		}
		if rep.Read > 2 {
			t.Errorf("day %d read %d files back, want about %d/%d a day", day, rep.Read, n, days)
		}
		total += rep.Read
		for _, f := range w.status(t).All {
			if age := clock.Now().Sub(f.ProvenAt); f.State != domain.BackupVerified || age > days*24*time.Hour {
				t.Errorf("day %d: %s %s, proven %v ago", day, f.Path, f.State, age)
			}
		}
	}
	if total < 3*n-1 || total > 3*n+3 {
		t.Errorf("%d reads in %d days, want about %d (every file once per %d days)", total, 3*days, 3*n, days)
	}
}

// Where uploads are only checked by size (PHOTOSYNC_VERIFY=size), the
// files are unverified right after the backup, and verified after one
// verify.
func TestBackupUnverifiedUntilOneVerify(t *testing.T) {
	srv := davtest.StartRclone(t)
	lib := t.TempDir()
	w := newProofWorldAt(t, lib, srv, system.Clock{}, app.VerifyConfig{}, app.VerifySize)
	for i := range 3 {
		writeLib(t, lib, fmt.Sprintf("2019/s%d.jpg", i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: int64(700 + i)}), time.Now().Add(-time.Hour))
	}
	w.sync(t)
	if st := w.status(t); st.Files != 3 || st.Unverified != 3 || st.Verified != 0 || !st.LastVerifiedAt.IsZero() {
		t.Fatalf("after a backup checked by size only: %+v", st.BackupCount)
	}
	if rep := w.verify(t, app.VerifyOptions{}); rep.Read != 3 {
		t.Errorf("the verify read %d files back, want the 3 never proven", rep.Read)
	}
	st := w.status(t)
	if st.Verified != 3 {
		t.Fatalf("after one verify: %+v", st.BackupCount)
	}
	for _, f := range st.All {
		if f.Method != domain.ProofReadBack {
			t.Errorf("%s proven by %q, want read_back", f.Path, f.Method)
		}
	}
}
