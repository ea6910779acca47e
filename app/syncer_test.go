package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

var syncTime = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// TestSyncTwoWaySettles: a remote tree comes down with its names below the
// download folder, a library file goes up, a second run moves nothing,
// and nothing that came down goes back up.
func TestSyncTwoWaySettles(t *testing.T) {
	w := newSyncWorld(t)
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: syncTime, Seed: 1})
	raw, mov, xmp := mediatest.RAW(t, 2, 5000), mediatest.Video(t, 3, 7000), mediatest.Sidecar(t, "IMG_1")
	w.put(t, "/Photos/2024/IMG_1.jpg", jpg, syncTime)
	w.put(t, "/Photos/2024/IMG_1.dng", raw, syncTime)
	w.put(t, "/Photos/2024/IMG_1.mov", mov, syncTime)
	w.put(t, "/Photos/2024/IMG_1.xmp", xmp, syncTime)
	w.put(t, "/Photos/2024/notes.txt", []byte("not a photo"), syncTime)
	mine := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 32, Height: 32, TakenAt: syncTime, Seed: 9})
	w.write(t, "trip/DSC_9.jpg", mine, syncTime)

	checkRun(t, w.sync(t), 4, 1, 0)
	lib := w.library(t)
	for name, data := range map[string][]byte{"IMG_1.jpg": jpg, "IMG_1.dng": raw, "IMG_1.mov": mov, "IMG_1.xmp": xmp} {
		if !bytes.Equal(lib["nextcloud/2024/"+name], data) {
			t.Errorf("nextcloud/2024/%s: %d bytes, want %d", name, len(lib["nextcloud/2024/"+name]), len(data))
		}
	}
	if _, ok := lib["nextcloud/2024/notes.txt"]; ok {
		t.Error("a file of no known kind came down")
	}
	noTemps(t, lib)
	remote := w.files(t, "/Photos")
	if !bytes.Equal(remote["/Photos/trip/DSC_9.jpg"], mine) || len(remote) != 6 {
		t.Errorf("the server holds %v", keys(remote))
	}

	second := w.sync(t)
	checkRun(t, second, 0, 0, 0)
	if got := w.files(t, "/Photos"); len(got) != 6 {
		t.Errorf("after the second run the server holds %v: something went back up", keys(got))
	}
	if len(w.library(t)) != len(lib) {
		t.Errorf("after the second run the library holds %v", keys(w.library(t)))
	}
	runs, err := w.syncer.Runs(context.Background(), w.account.ID, 10)
	if err != nil || len(runs) != 2 || runs[0].ID != second.ID || runs[1].BytesDown != int64(len(jpg)+len(raw)+len(mov)+len(xmp)) ||
		runs[1].BytesUp != int64(len(mine)) {
		t.Errorf("runs %+v, %v", runs, err)
	}
	a, _ := w.accounts.Account(context.Background(), w.account.ID)
	if !a.LastSyncAt.Equal(w.clock.Now()) || a.Status != domain.StatusOK {
		t.Errorf("account after the runs: last sync %v, status %s", a.LastSyncAt, a.Status)
	}
}

// TestSyncOneWay: download only leaves library files where they are;
// upload only leaves remote files where they are.
func TestSyncOneWay(t *testing.T) {
	for _, down := range []bool{true, false} {
		name := map[bool]string{true: "download", false: "upload"}[down]
		t.Run(name, func(t *testing.T) {
			w := newSyncWorld(t)
			w.edit(t, app.AccountInput{SyncDownload: ptr(down), SyncUpload: ptr(!down)})
			w.put(t, "/Photos/a.jpg", pic(t, "remote photo"), syncTime)
			w.write(t, "b.jpg", pic(t, "library photo"), syncTime)
			run := w.sync(t)
			lib, remote := w.library(t), w.files(t, "/Photos")
			_, gotDown := lib["nextcloud/a.jpg"]
			_, gotUp := remote["/Photos/b.jpg"]
			if gotDown != down || gotUp == down || run.Downloaded+run.Uploaded != 1 {
				t.Fatalf("run %+v: library %v, server %v", run, keys(lib), keys(remote))
			}
			checkRun(t, w.sync(t), 0, 0, 0)
		})
	}
}

// TestSyncNormalisedNames: with names not preserved, a photo is named by
// its EXIF date and checksum, a video without one by the remote time, and
// a second run keeps them.
func TestSyncNormalisedNames(t *testing.T) {
	w := newSyncWorld(t)
	w.edit(t, app.AccountInput{SyncPreserveNames: ptr(false), SyncUpload: ptr(false)})
	taken := time.Date(2023, 7, 14, 9, 30, 5, 0, time.UTC)
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: taken, Seed: 4})
	mov := mediatest.Video(t, 5, 4000)
	modified := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	w.put(t, "/Photos/x/IMG_7.JPG", jpg, syncTime)
	w.put(t, "/Photos/y/clip.MOV", mov, modified)
	checkRun(t, w.sync(t), 2, 0, 0)
	lib := w.library(t)
	wantJPG := "nextcloud/2023/07/20230714_093005_" + upSHA1(jpg)[:8] + ".jpg"
	wantMOV := "nextcloud/2022/01/20220102_030405_" + upSHA1(mov)[:8] + ".mov"
	if !bytes.Equal(lib[wantJPG], jpg) || !bytes.Equal(lib[wantMOV], mov) || len(lib) != 2 {
		t.Fatalf("library %v; want %s and %s", keys(lib), wantJPG, wantMOV)
	}
	checkRun(t, w.sync(t), 0, 0, 0)
	if len(w.library(t)) != 2 {
		t.Errorf("library after the second run: %v", keys(w.library(t)))
	}
}

// TestSyncKinds: with RAW and video off, no RAW file and no video moves
// either way; the sidecar of a RAW-only photo stays too.
func TestSyncKinds(t *testing.T) {
	w := newSyncWorld(t)
	w.edit(t, app.AccountInput{SyncRaw: ptr(false), SyncVideo: ptr(false)})
	w.put(t, "/Photos/r/A.dng", mediatest.RAW(t, 1, 3000), syncTime)
	w.put(t, "/Photos/r/A.xmp", mediatest.Sidecar(t, "A"), syncTime)
	w.put(t, "/Photos/r/B.mp4", mediatest.Video(t, 2, 3000), syncTime)
	w.put(t, "/Photos/r/C.jpg", pic(t, "jpeg"), syncTime)
	w.write(t, "l/D.nef", mediatest.RAW(t, 3, 3000), syncTime)
	w.write(t, "l/E.mov", mediatest.Video(t, 4, 3000), syncTime)
	w.write(t, "l/F.jpg", pic(t, "jpeg too"), syncTime)
	run := w.sync(t)
	checkRun(t, run, 1, 1, 0)
	lib, remote := w.library(t), w.files(t, "/Photos")
	if len(lib) != 4 || lib["nextcloud/r/C.jpg"] == nil || len(remote) != 5 || remote["/Photos/l/F.jpg"] == nil {
		t.Fatalf("library %v, server %v", keys(lib), keys(remote))
	}

	w.edit(t, app.AccountInput{SyncRaw: ptr(true), SyncVideo: ptr(true)})
	checkRun(t, w.sync(t), 3, 2, 0)
}

// TestSyncChanges: a remote change updates the library copy, a library
// change goes up again, and a change on both sides keeps both: the
// server's version beside the library's as a conflict copy, the library's
// on the server.
func TestSyncChanges(t *testing.T) {
	w := newSyncWorld(t)
	w.put(t, "/Photos/a.jpg", pic(t, "a1"), syncTime)
	w.put(t, "/Photos/b.jpg", pic(t, "b1"), syncTime)
	w.put(t, "/Photos/c.jpg", pic(t, "c1"), syncTime)
	checkRun(t, w.sync(t), 3, 0, 0)

	later := syncTime.Add(time.Hour)
	w.put(t, "/Photos/a.jpg", pic(t, "a2 remote"), later)
	w.write(t, "nextcloud/b.jpg", pic(t, "b2 library"), later)
	w.put(t, "/Photos/c.jpg", pic(t, "c2 remote"), later)
	w.write(t, "nextcloud/c.jpg", pic(t, "c2 library"), later)
	w.clock.Advance(time.Hour)
	run := w.sync(t)
	checkRun(t, run, 2, 2, 0)

	lib, remote := w.library(t), w.files(t, "/Photos")
	conflict := "nextcloud/c (conflict " + w.clock.Now().Format("2006-01-02 150405") + ").jpg"
	want := map[string]string{"nextcloud/a.jpg": "a2 remote", "nextcloud/b.jpg": "b2 library", "nextcloud/c.jpg": "c2 library", conflict: "c2 remote"}
	for p, data := range want {
		if !bytes.Equal(lib[p], pic(t, data)) {
			t.Errorf("library %s is not %q (library %v)", p, data, keys(lib))
		}
	}
	if !bytes.Equal(remote["/Photos/b.jpg"], pic(t, "b2 library")) || !bytes.Equal(remote["/Photos/c.jpg"], pic(t, "c2 library")) || len(remote) != 3 {
		t.Errorf("server %v", keys(remote))
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}

// TestSyncDeletionsAreRemembered: a file deleted on one side is not copied
// back, run after run, until a person restores it.
func TestSyncDeletionsAreRemembered(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "from the server"), syncTime)
	w.write(t, "b.jpg", pic(t, "from the library"), syncTime)
	checkRun(t, w.sync(t), 1, 1, 0)

	if err := osRemove(w.dir, "nextcloud/a.jpg"); err != nil {
		t.Fatal(err)
	}
	if err := w.remote.Delete(ctx, "/Photos/b.jpg"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		checkRun(t, w.sync(t), 0, 0, 0)
	}
	if _, ok := w.library(t)["nextcloud/a.jpg"]; ok {
		t.Fatal("the file deleted in the library came back")
	}
	if _, ok := w.files(t, "/Photos")["/Photos/b.jpg"]; ok {
		t.Fatal("the file deleted on the server came back")
	}
	deleted, err := w.syncer.Deleted(ctx, w.account.ID)
	if err != nil || len(deleted) != 2 {
		t.Fatalf("Deleted = %+v, %v", deleted, err)
	}

	if n, err := w.syncer.Restore(ctx, w.account.ID, []string{"nextcloud/a.jpg", "/Photos/b.jpg"}); err != nil || n != 2 {
		t.Fatalf("Restore = %d, %v", n, err)
	}
	checkRun(t, w.sync(t), 1, 1, 0)
	if !bytes.Equal(w.library(t)["nextcloud/a.jpg"], pic(t, "from the server")) || !bytes.Equal(w.files(t, "/Photos")["/Photos/b.jpg"], pic(t, "from the library")) {
		t.Fatal("restored files did not come back")
	}
	if _, err := w.syncer.Restore(ctx, w.account.ID, nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Restore without paths = %v, want EINVALID", err)
	}
}

// TestSyncDryRun: a plan moves and records nothing.
func TestSyncDryRun(t *testing.T) {
	w := newSyncWorld(t)
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	w.write(t, "b.jpg", pic(t, "b"), syncTime)
	plan, err := w.syncer.Plan(context.Background(), w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, a := range plan.Actions {
		ops = append(ops, string(a.Op)+" "+a.LocalPath+" "+a.RemotePath)
	}
	if strings.Join(ops, "; ") != "download nextcloud/a.jpg /Photos/a.jpg; upload b.jpg /Photos/b.jpg" {
		t.Fatalf("plan %q", ops)
	}
	runs, _ := w.syncer.Runs(context.Background(), w.account.ID, 10)
	if len(w.library(t)) != 1 || len(w.files(t, "/Photos")) != 1 || len(runs) != 0 {
		t.Fatalf("a dry run moved or recorded something: %v %v %v", keys(w.library(t)), keys(w.files(t, "/Photos")), runs)
	}
}

// pic returns a small JPEG that stands for the words it is made from.
func pic(t *testing.T, words string) []byte {
	t.Helper()
	var seed int64
	for _, c := range words {
		seed = seed*31 + int64(c)
	}
	return mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, TakenAt: syncTime, Seed: seed})
}

// TestSyncShowsNamesTheServerCannotTake: a library file whose name no
// server can take (a backslash) is not sent, and the run says so among
// its errors and in its job, not only in a log line (issue 17), without
// counting it failed: no later run could send it either.
func TestSyncShowsNamesTheServerCannotTake(t *testing.T) {
	w := newSyncWorld(t)
	w.write(t, `trip/a\b.jpg`, mediatest.JPEG(t, mediatest.JPEGOptions{Width: 32, Height: 32, TakenAt: syncTime, Seed: 3}), syncTime)
	w.write(t, "trip/ok.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 32, Height: 32, TakenAt: syncTime, Seed: 4}), syncTime)
	j, run, err := w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkRun(t, run, 0, 1, 0)
	named := func(errs []domain.JobError) bool {
		for _, e := range errs {
			if e.Path == `trip/a\b.jpg` && strings.Contains(e.Message, "backslash") {
				return true
			}
		}
		return false
	}
	if !named(run.Errors) {
		t.Errorf("the run's errors %+v do not name the file the server cannot take", run.Errors)
	}
	if !named(j.Errors) || j.Failed != 0 {
		t.Errorf("the job (failed %d) lists %+v: want the skipped name among its errors, nothing failed", j.Failed, j.Errors)
	}
	runs, err := w.syncer.Runs(context.Background(), w.account.ID, 1)
	if err != nil || len(runs) != 1 || !named(runs[0].Errors) {
		t.Errorf("the stored run %+v, %v: want the skipped name among its errors", runs, err)
	}
}
