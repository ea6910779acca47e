package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestSyncFailingFileEndsFailed: a remote file that always fails (500, or
// 404 although listed) is tried on later runs after its backoff, up to the
// retry limit, then marked failed and listed; every other file syncs; a
// person's retry brings it back.
func TestSyncFailingFileEndsFailed(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.edit(t, app.AccountInput{RetryLimit: ptr(3)})
	w.put(t, "/Photos/bad500.jpg", pic(t, "bad 500"), syncTime)
	w.put(t, "/Photos/bad404.jpg", pic(t, "bad 404"), syncTime)
	w.put(t, "/Photos/good.jpg", pic(t, "good"), syncTime)
	w.write(t, "up.jpg", pic(t, "up"), syncTime)
	calls := map[string]int{}
	w.setFault(func(op, p string) error {
		if op != "download" {
			return nil
		}
		calls[p]++
		switch p {
		case "/Photos/bad500.jpg":
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server is busy or failing (500 Internal Server Error)")
		case "/Photos/bad404.jpg":
			return domain.RemoteErrorf(domain.ENOTFOUND, "/Photos/bad404.jpg not found")
		}
		return nil
	})
	scheduled := func() domain.SyncRun {
		t.Helper()
		run, err := runOf(w.syncer.Run(ctx, w.account.ID, app.BySchedule, true))
		if err != nil {
			t.Fatal(err)
		}
		return run
	}

	first := scheduled()
	checkRun(t, first, 1, 1, 2)
	if calls["/Photos/bad500.jpg"] != 3 || calls["/Photos/bad404.jpg"] != 1 {
		t.Errorf("tries within the run: %v; want 3 for the 500 and 1 for the 404", calls)
	}
	if len(first.Errors) != 2 || !strings.Contains(first.Errors[1].Message, "500") {
		t.Errorf("run errors %+v", first.Errors)
	}
	// Right after, both wait out their backoff.
	if r := scheduled(); r.Skipped != 2 || r.Failed != 0 {
		t.Errorf("a run within the backoff: %+v", r)
	}
	for attempt := 2; attempt <= 3; attempt++ {
		w.clock.Advance(24 * time.Hour)
		checkRun(t, scheduled(), 0, 0, 2)
	}
	failed, err := w.syncer.Failures(ctx, w.account.ID, true)
	if err != nil || len(failed) != 2 || failed[0].Attempts != 3 || !failed[0].Failed || failed[0].Direction != domain.SyncDown {
		t.Fatalf("failed files %+v, %v", failed, err)
	}
	w.clock.Advance(24 * time.Hour)
	if r := w.sync(t); r.Skipped != 2 || r.Failed != 0 {
		t.Errorf("a run by hand after the limit tried the failed files: %+v", r)
	}

	w.setFault(nil)
	if n, err := w.syncer.Retry(ctx, w.account.ID, []string{"/Photos/bad500.jpg"}); err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	checkRun(t, w.sync(t), 1, 0, 0)
	if n, err := w.syncer.Retry(ctx, w.account.ID, nil); err != nil || n != 1 {
		t.Fatalf("Retry all = %d, %v", n, err)
	}
	checkRun(t, w.sync(t), 1, 0, 0)
	if left, _ := w.syncer.Failures(ctx, w.account.ID, false); len(left) != 0 {
		t.Errorf("failures left after success: %+v", left)
	}
}

// TestSyncByHandTriesWhatWaits: a person's run tries a file that waits out
// its backoff; the count goes on.
func TestSyncByHandTriesWhatWaits(t *testing.T) {
	w := newSyncWorld(t)
	w.put(t, "/Photos/bad.jpg", pic(t, "bad"), syncTime)
	w.setFault(func(op, p string) error {
		if op == "download" {
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server is busy or failing (503 Service Unavailable)")
		}
		return nil
	})
	checkRun(t, w.sync(t), 0, 0, 1)
	checkRun(t, w.sync(t), 0, 0, 1)
	f, _ := w.syncer.Failures(context.Background(), w.account.ID, false)
	if len(f) != 1 || f[0].Attempts != 2 || f[0].Failed {
		t.Fatalf("failures %+v", f)
	}
}

// retryAfterError is a server's answer that asks to wait.
type retryAfterError time.Duration

func (e retryAfterError) Error() string             { return "429 Too Many Requests" }
func (e retryAfterError) RetryDelay() time.Duration { return time.Duration(e) }

// TestSyncHonoursRetryAfter: a server that asks for a short wait is tried
// again within the run; one that asks for longer than a run waits is not,
// and the file's next attempt is put off by at least as long.
func TestSyncHonoursRetryAfter(t *testing.T) {
	w := newSyncWorld(t)
	w.put(t, "/Photos/soon.jpg", pic(t, "soon"), syncTime)
	w.put(t, "/Photos/later.jpg", pic(t, "later"), syncTime)
	tries := map[string]int{}
	w.setFault(func(op, p string) error {
		if op != "download" {
			return nil
		}
		tries[p]++
		wait := 5 * time.Millisecond
		if p == "/Photos/later.jpg" {
			wait = 6 * time.Hour
		} else if tries[p] > 1 {
			return nil
		}
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the server is busy or failing (429 Too Many Requests)", Remote: true, Err: retryAfterError(wait)}
	})
	checkRun(t, w.sync(t), 1, 0, 1)
	if tries["/Photos/soon.jpg"] != 2 || tries["/Photos/later.jpg"] != 1 {
		t.Errorf("tries %v", tries)
	}
	f, _ := w.syncer.Failures(context.Background(), w.account.ID, false)
	if len(f) != 1 || f[0].NextAttemptAt.Before(w.clock.Now().Add(6*time.Hour)) {
		t.Errorf("failures %+v; want the next attempt 6 hours on", f)
	}
}

// TestSyncStopsWhenRefused: a 401 stops the run, marks the account and
// keeps the scheduler off it until a person fixes it.
func TestSyncStopsWhenRefused(t *testing.T) {
	w := newSyncWorld(t)
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		w.write(t, n+".jpg", pic(t, n), syncTime)
	}
	uploads := 0
	w.setFault(func(op, p string) error {
		if op == "upload" {
			uploads++
			return domain.RemoteErrorf(domain.EUNAUTHORIZED, "the server rejected the user name or password for user \"bob\"")
		}
		return nil
	})
	run, err := runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true))
	if domain.ErrorCode(err) != domain.EUNAUTHORIZED || run.Complete || !strings.Contains(run.Error, "rejected") || run.Failed != 0 {
		t.Fatalf("Sync = %+v, %v", run, err)
	}
	if uploads > 3 {
		t.Errorf("%d uploads tried after the refusal (3 at once)", uploads)
	}
	a, _ := w.accounts.Account(context.Background(), w.account.ID)
	if a.Status != domain.StatusUnauthorized || a.LastError == "" || app.IsDue(a, w.clock.Now().Add(48*time.Hour)) {
		t.Fatalf("account %+v", a)
	}
	if f, _ := w.syncer.Failures(context.Background(), w.account.ID, false); len(f) != 0 {
		t.Errorf("a refusal counted against files: %+v", f)
	}
}

// TestSyncOneRunPerAccount: while a run goes on, another is refused at
// once, by Sync and by Start; the lease is free again after.
func TestSyncOneRunPerAccount(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	started, release := make(chan struct{}), make(chan struct{})
	w.setFault(func(op, p string) error {
		if op == "download" {
			close(started)
			<-release
		}
		return nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
		done <- err
	}()
	<-started
	_, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
	if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != "a sync of account 1 is already running" {
		t.Errorf("a second Sync = %v", err)
	}
	if _, err := jobOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, false)); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("Start during a run = %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	w.setFault(nil)
	checkRun(t, w.sync(t), 0, 0, 0)
}

// TestSyncCancelledThenResumed: a run cancelled in the middle keeps the
// pairs of what it moved; the next run moves only the rest, and the
// library ends as an undisturbed run leaves it, with no temporary file
// (one left by a crash included).
func TestSyncCancelledThenResumed(t *testing.T) {
	w := newSyncWorld(t)
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for _, n := range names {
		w.put(t, "/Photos/"+n+".jpg", pic(t, n), syncTime)
	}
	w.write(t, "nextcloud/.x.jpg.photosync-0123456789abcdef.tmp", []byte("crashed half"), syncTime)
	ctx, cancel := context.WithCancel(context.Background())
	downloads := 0
	w.setFault(func(op, p string) error {
		if op == "download" {
			if downloads++; downloads == 4 {
				cancel()
				return context.Canceled
			}
		}
		return nil
	})
	run, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
	if !errors.Is(err, context.Canceled) || run.Complete || run.Error != "cancelled" || run.Downloaded == 0 || run.Downloaded > 3 {
		t.Fatalf("cancelled Sync = %+v, %v", run, err)
	}
	pairs, _ := w.store.Pairs(context.Background(), w.account.ID)
	if len(pairs) != run.Downloaded {
		t.Errorf("%d pairs recorded for %d files downloaded", len(pairs), run.Downloaded)
	}
	if folders, _ := w.store.Folders(context.Background(), w.account.ID); len(folders) != 0 {
		t.Errorf("an incomplete run remembered the folders: %v", folders)
	}
	w.setFault(nil)
	checkRun(t, w.sync(t), len(names)-run.Downloaded, 0, 0)
	lib := w.library(t)
	noTemps(t, lib)
	if len(lib) != len(names) {
		t.Errorf("library %v", keys(lib))
	}
}

// TestSyncResumesNormalisedDownloads: a file a killed run downloaded but
// did not record is found under its normalised name and adopted, not
// written twice nor sent back up.
func TestSyncResumesNormalisedDownloads(t *testing.T) {
	w := newSyncWorld(t)
	w.edit(t, app.AccountInput{SyncPreserveNames: ptr(false)})
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 32, Height: 32, TakenAt: syncTime, Seed: 12})
	w.put(t, "/Photos/IMG_1.jpg", jpg, syncTime)
	// What the killed run left: the file in place, no pair.
	w.write(t, "nextcloud/2024/06/20240601_120000_"+upSHA1(jpg)[:8]+".jpg", jpg, syncTime)
	run := w.sync(t)
	checkRun(t, run, 1, 0, 0)
	if lib := w.library(t); len(lib) != 1 {
		t.Errorf("library %v", keys(lib))
	}
	if remote := w.files(t, "/Photos"); len(remote) != 1 {
		t.Errorf("the file went back up: %v", keys(remote))
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}
