package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"golang.org/x/text/unicode/norm"
)

// The tests of this file each reproduce one way a run could destroy the
// last good copy of a photo (issue 16), and check that it no longer does.

const versionsDir = localfs.VersionsDir

// versions returns the content of every kept library version, by the
// path the file had.
func (w *syncWorld) versions(t *testing.T) map[string][]byte {
	t.Helper()
	vs, err := localfs.NewVersionStore(w.dir, w.clock).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, v := range vs {
		var data []byte
		err := filepath.WalkDir(filepath.Join(w.dir, filepath.FromSlash(versionsDir), v.ID), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".json") {
				return err
			}
			data, err = os.ReadFile(p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		out[v.Path] = data
	}
	return out
}

// mp4 returns a small MP4 whose boxes cover it exactly: ftyp, moov (with
// an mvhd) and mdat of random bytes.
func mp4(t *testing.T, size int) []byte {
	t.Helper()
	box := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		return append(append(b, typ...), body...)
	}
	out := box("ftyp", []byte("isom\x00\x00\x02\x00isommp41"))
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], 1000) // timescale
	out = append(out, box("moov", box("mvhd", mvhd))...)
	data := make([]byte, size-len(out)-8)
	rand.Read(data)
	return append(out, box("mdat", data)...)
}

// pairedWorld is a two-way sync with files paired on both sides.
func pairedWorld(t *testing.T, files map[string][]byte) *syncWorld {
	t.Helper()
	w := newSyncWorld(t)
	mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for rel, data := range files {
		w.write(t, rel, data, mod)
	}
	r := w.sync(t)
	checkRun(t, r, 0, len(files), 0)
	return w
}

// Scenario 1: a server copy emptied, cut short or overwritten with noise
// never replaces the library's original.
func TestBrokenServerCopyNeverReplacesTheLibrary(t *testing.T) {
	files := map[string][]byte{}
	for i, name := range []string{"empty.jpg", "short.jpg", "noise.jpg", "good.jpg"} {
		files["2024/"+name] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300, Seed: int64(i + 1)})
	}
	w := pairedWorld(t, files)
	later := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	w.clock.Advance(time.Hour)
	noise := make([]byte, len(files["2024/noise.jpg"]))
	rand.Read(noise)
	newer := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300, Seed: 99})
	w.put(t, "/Photos/2024/empty.jpg", nil, later)
	w.put(t, "/Photos/2024/short.jpg", files["2024/short.jpg"][:2000], later)
	w.put(t, "/Photos/2024/noise.jpg", noise, later)
	w.put(t, "/Photos/2024/good.jpg", newer, later)

	run := w.sync(t)
	if run.Downloaded != 1 || run.Failed != 3 {
		t.Fatalf("run %+v: want the good version downloaded and the three broken ones failed", run)
	}
	lib := w.library(t)
	for _, name := range []string{"empty.jpg", "short.jpg", "noise.jpg"} {
		if !bytes.Equal(lib["2024/"+name], files["2024/"+name]) {
			t.Errorf("%s: the library's original was replaced by the server's broken copy (%d bytes)", name, len(lib["2024/"+name]))
		}
	}
	if !bytes.Equal(lib["2024/good.jpg"], newer) {
		t.Errorf("good.jpg: the server's sound newer version did not replace the library's")
	}
	if v := w.versions(t); !bytes.Equal(v["2024/good.jpg"], files["2024/good.jpg"]) {
		t.Errorf("the replaced library copy of good.jpg was not kept as a version (versions: %v)", keys(v))
	}
	causes := strings.Join(errorsOf(run), "\n")
	for _, want := range []string{"empty.jpg is damaged", "short.jpg is damaged", "noise.jpg is damaged"} {
		if !strings.Contains(causes, want) {
			t.Errorf("the run's errors do not say %q:\n%s", want, causes)
		}
	}
	noTemps(t, lib)
}

func errorsOf(r domain.SyncRun) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Path+": "+e.Message)
	}
	return out
}

// A server copy that is only the start of the library's (a truncated
// upload of another client, a file cut short on the server's disk) of a
// kind without a structure to check is refused as a prefix.
func TestTruncatedServerCopyOfASidecarIsRefused(t *testing.T) {
	xmp := mediatest.Sidecar(t, "IMG_0001")
	files := map[string][]byte{"a/IMG_0001.jpg": mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 3}), "a/IMG_0001.xmp": xmp}
	w := pairedWorld(t, files)
	w.clock.Advance(time.Hour)
	w.put(t, "/Photos/a/IMG_0001.xmp", xmp[:len(xmp)/2], time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	run := w.sync(t)
	if run.Downloaded != 0 || run.Failed != 1 {
		t.Fatalf("run %+v: want the truncated sidecar refused", run)
	}
	if got := w.library(t)["a/IMG_0001.xmp"]; !bytes.Equal(got, xmp) {
		t.Fatalf("the library's sidecar was replaced by its first half")
	}
	if !strings.Contains(strings.Join(errorsOf(run), "\n"), "truncated copy") {
		t.Errorf("errors do not say it is a truncated copy: %v", errorsOf(run))
	}
}

// editingStorage calls edit once, just before it answers the download of
// path: a person saving the library file while the run downloads.
type editingStorage struct {
	ports.RemoteStorage
	path string
	edit func()
	done atomic.Bool
}

func (s *editingStorage) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	if p == s.path && s.done.CompareAndSwap(false, true) {
		s.edit()
	}
	return s.RemoteStorage.Download(ctx, p)
}

func (s *editingStorage) Move(ctx context.Context, from, to string) error {
	return s.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

// Scenario 2: an edit saved in the library while the server's newer
// version downloads is kept; the server's version lands beside it.
func TestEditDuringDownloadIsKept(t *testing.T) {
	orig := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1})
	w := pairedWorld(t, map[string][]byte{"a/IMG_1.jpg": orig})
	w.clock.Advance(time.Hour)
	server := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 2})
	edit := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 3})
	w.put(t, "/Photos/a/IMG_1.jpg", server, time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	st := &editingStorage{path: "/Photos/a/IMG_1.jpg", edit: func() {
		w.write(t, "a/IMG_1.jpg", edit, time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC))
	}}
	w.wrap = func(inner ports.RemoteStorage) ports.RemoteStorage { st.RemoteStorage = inner; return st }
	run := w.sync(t)
	if !st.done.Load() {
		t.Fatal("the run never downloaded the server's version")
	}
	lib := w.library(t)
	if !bytes.Equal(lib["a/IMG_1.jpg"], edit) {
		t.Fatalf("the edit saved during the download is gone (run %+v)", run)
	}
	var conflict []byte
	for p, data := range lib {
		if strings.Contains(p, "(conflict ") {
			conflict = data
		}
	}
	if !bytes.Equal(conflict, server) {
		t.Fatalf("the server's version was not kept beside the edit: library %v", keys(lib))
	}
}

// Scenario 3: a truncated library video (or RAW) is never sent over the
// server's good copy.
func TestTruncatedLibraryVideoIsNotUploadedOverTheServersCopy(t *testing.T) {
	clip := mp4(t, 64<<10)
	w := pairedWorld(t, map[string][]byte{"v/clip.mp4": clip, "v/clip.jpg": mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 4})})
	w.edit(t, app.AccountInput{SyncVideo: ptr(true)})
	w.sync(t)
	if got, _ := w.server.File("/Photos/v/clip.mp4"); !bytes.Equal(got, clip) {
		t.Fatalf("the video did not reach the server first")
	}
	w.write(t, "v/clip.mp4", clip[:20000], time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC))
	run := w.sync(t)
	if run.Uploaded != 0 {
		t.Fatalf("run %+v: the truncated video was uploaded", run)
	}
	if got, _ := w.server.File("/Photos/v/clip.mp4"); !bytes.Equal(got, clip) {
		t.Fatalf("the server's good copy was replaced by a truncated one (%d bytes)", len(got))
	}
}

// Scenario 4: two files of the same size and time are not one file
// unless their bytes are.
func TestSameSizeAndTimeIsNotTheSameFile(t *testing.T) {
	w := newSyncWorld(t)
	w.edit(t, app.AccountInput{SyncUpload: ptr(false), SyncRaw: ptr(true)})
	mod := time.Date(2020, 3, 1, 9, 0, 0, 0, time.UTC)
	mine := mediatest.RAW(t, 1, 8000)
	theirs := mediatest.RAW(t, 2, 8000)
	// The library holds a file at the very path the server's would be
	// downloaded to, with the same size and time but other bytes.
	w.write(t, "nextcloud/2020/IMG_0001.DNG", mine, mod)
	w.put(t, "/Photos/2020/IMG_0001.DNG", theirs, mod)
	run := w.sync(t)
	if run.Downloaded != 1 {
		t.Fatalf("run %+v: the server's file was taken for the library's and not downloaded", run)
	}
	lib := w.library(t)
	if !bytes.Equal(lib["nextcloud/2020/IMG_0001.DNG"], mine) {
		t.Fatalf("the library's file was changed")
	}
	if !bytes.Equal(lib["nextcloud/2020/IMG_0001 (1).DNG"], theirs) {
		t.Fatalf("the server's file is not beside it: %v", keys(lib))
	}
}

// liarStorage stores random bytes of the same length instead of what it
// is sent, while lie is set.
type liarStorage struct {
	ports.RemoteStorage
	lie *atomic.Bool
}

func (s liarStorage) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	if !s.lie.Load() {
		return s.RemoteStorage.Upload(ctx, p, body, size, meta)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return err
	}
	junk := make([]byte, size)
	rand.Read(junk)
	return s.RemoteStorage.Upload(ctx, p, bytes.NewReader(junk), size, meta)
}

func (s liarStorage) Move(ctx context.Context, from, to string) error {
	return s.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

// Scenario 5: a server that stores other bytes than it was sent is not
// believed: nothing counts as uploaded, no wrong copy stays, and once it
// is fixed the files go up.
func TestServerStoringOtherBytesIsCaught(t *testing.T) {
	w := newSyncWorld(t)
	var lie atomic.Bool
	lie.Store(true)
	w.wrap = func(inner ports.RemoteStorage) ports.RemoteStorage { return liarStorage{inner, &lie} }
	files := map[string][]byte{}
	for i := range 5 {
		rel := "2024/IMG_" + string(rune('A'+i)) + ".jpg"
		files[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(10 + i)})
		w.write(t, rel, files[rel], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	run := w.sync(t)
	if run.Uploaded != 0 || run.Failed != 5 {
		t.Fatalf("run %+v: want every upload failed", run)
	}
	if msg := strings.Join(errorsOf(run), "\n"); !strings.Contains(msg, "stored different content") {
		t.Fatalf("errors do not say the server stored other content:\n%s", msg)
	}
	if left := w.files(t, "/Photos"); len(left) != 0 {
		t.Fatalf("wrong copies stay on the server: %v", keys(left))
	}
	lie.Store(false)
	w.clock.Advance(24 * time.Hour)
	run = w.sync(t)
	if run.Uploaded != 5 {
		t.Fatalf("run %+v: want the files sent once the server is fixed", run)
	}
	for rel, data := range files {
		if got, _ := w.server.File("/Photos/" + rel); !bytes.Equal(got, data) {
			t.Errorf("%s differs on the server", rel)
		}
	}
}

// Replacing the server's copy on a plain WebDAV server keeps it in the
// sync folder's versions folder.
func TestReplacedServerCopyIsKept(t *testing.T) {
	orig := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 20})
	w := pairedWorld(t, map[string][]byte{"a/IMG_2.jpg": orig})
	edited := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 21})
	w.write(t, "a/IMG_2.jpg", edited, time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC))
	run := w.sync(t)
	checkRun(t, run, 0, 1, 0)
	if got, _ := w.server.File("/Photos/a/IMG_2.jpg"); !bytes.Equal(got, edited) {
		t.Fatalf("the edit did not reach the server")
	}
	kept := w.files(t, "/Photos/.photosync-versions")
	found := false
	for p, data := range kept {
		if strings.HasSuffix(p, "/a/IMG_2.jpg") && bytes.Equal(data, orig) {
			found = true
		}
	}
	if !found {
		t.Fatalf("the server's replaced copy was not kept: %v", keys(kept))
	}
	// The versions folder is photosync's: a later run neither downloads
	// nor lists it as photos.
	if run := w.sync(t); run.Downloaded != 0 || run.Uploaded != 0 {
		t.Fatalf("a later run moved files: %+v", run)
	}
}

// The mass-change guard: a run that would replace more paired files than
// allowed replaces none until a person confirms.
func TestManyReplacementsWaitForConfirmation(t *testing.T) {
	files := map[string][]byte{}
	for i := range 60 {
		files[filepathName(i)] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(100 + i)})
	}
	w := pairedWorld(t, files)
	w.clock.Advance(time.Hour)
	for i := range 60 {
		w.put(t, "/Photos/"+filepathName(i), mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(200 + i)}), time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC))
	}
	run := w.sync(t)
	if run.Downloaded != 0 || !strings.Contains(run.Error, "waits for confirmation") {
		t.Fatalf("run %+v: want nothing replaced and the run waiting for confirmation", run)
	}
	a, err := w.accounts.Account(context.Background(), w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != domain.StatusNeedsReview || !strings.Contains(a.LastError, "60 paired files") {
		t.Fatalf("account status %q, %q; want needs_review with the plan's summary", a.Status, a.LastError)
	}
	lib := w.library(t)
	for rel, data := range files {
		if !bytes.Equal(lib[rel], data) {
			t.Fatalf("%s was replaced before the person confirmed", rel)
		}
	}
	run, err = runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByConfirmation, true))
	if err != nil || run.Downloaded != 60 {
		t.Fatalf("confirmed run %+v, %v; want 60 replaced", run, err)
	}
	if n := len(w.versions(t)); n != 60 {
		t.Fatalf("%d versions kept; want the 60 replaced library files", n)
	}
	a, _ = w.accounts.Account(context.Background(), w.account.ID)
	if a.Status != domain.StatusOK {
		t.Fatalf("account status %q after the confirmed run", a.Status)
	}
}

func filepathName(i int) string { return fmt.Sprintf("many/IMG_%03d.jpg", i) }

// nfcStorage stores names in NFC, as Nextcloud does, whatever form it is
// sent.
type nfcStorage struct{ ports.RemoteStorage }

func (s nfcStorage) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	return s.RemoteStorage.Upload(ctx, norm.NFC.String(p), body, size, meta)
}

func (s nfcStorage) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	return s.RemoteStorage.Stat(ctx, norm.NFC.String(p))
}

func (s nfcStorage) Move(ctx context.Context, from, to string) error {
	return s.RemoteStorage.(ports.Mover).Move(ctx, norm.NFC.String(from), norm.NFC.String(to))
}

// Scenario 8: a library name written decomposed (NFD, as macOS does) is
// the same file as the name the server stores composed (NFC): one upload,
// no copy downloaded back, nothing sent again.
func TestUnicodeNormalisationMakesNoDuplicates(t *testing.T) {
	w := newSyncWorld(t)
	w.wrap = func(inner ports.RemoteStorage) ports.RemoteStorage { return nfcStorage{inner} }
	nfd := norm.NFD.String("Café/Crème brûlée.jpg")
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 30})
	w.write(t, nfd, data, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	checkRun(t, w.sync(t), 0, 1, 0)
	for i := range 2 {
		if run := w.sync(t); run.Downloaded+run.Uploaded != 0 {
			t.Fatalf("run %d after the upload moved files: %+v", i+2, run)
		}
	}
	lib := w.library(t)
	if len(lib) != 1 || !bytes.Equal(lib[nfd], data) {
		t.Fatalf("library: %v; want the one file", keys(lib))
	}
	files := w.files(t, "/Photos")
	if len(files) != 1 || !bytes.Equal(files["/Photos/"+norm.NFC.String("Café/Crème brûlée.jpg")], data) {
		t.Fatalf("server: %v; want the one file in NFC", keys(files))
	}
}

// Scenario 7: identical content in one upload is sent once, whatever
// its names and folders.
func TestUploadSendsIdenticalContentOnce(t *testing.T) {
	w := newUpWorld(t)
	cat := []byte("the same black cat")
	a := w.index(t, upFile{"2023/cat_black.jpg", cat})
	b := w.index(t, upFile{"export/cat_black.jpg", cat})
	c := w.index(t, upFile{"2024/dog.jpg", []byte("a dog")})
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 2, 1, 0)
	if _, ok := w.server.File("/P/cat_black (1).jpg"); ok {
		t.Fatal("the same content was sent twice, as cat_black (1).jpg")
	}
	if got := w.remote(t, "/P/cat_black.jpg"); !bytes.Equal(got, cat) {
		t.Fatalf("cat_black.jpg holds %q", got)
	}
}

// Scenario 7: photos uploaded by hand into the sync folder are pairs of
// the sync: not downloaded back into the library, not uploaded again.
func TestManualUploadsIntoTheSyncFolderArePairs(t *testing.T) {
	w := newSyncWorld(t)
	files := map[string][]byte{}
	for i := range 3 {
		rel := fmt.Sprintf("phone/IMG_%d.jpg", i)
		files[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(80 + i)})
		w.write(t, rel, files[rel], time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	}
	ctx := context.Background()
	if _, err := w.indexer.Index(ctx, nil); err != nil {
		t.Fatal(err)
	}
	up := app.NewUploader(w.accounts, localfs.NewLibrary(w.dir), w.libStore, w.uploads, media.NewResizer(), w.clock, slog.New(slog.DiscardHandler))
	p := app.NewProgress(domain.Job{}, nil)
	if err := up.Upload(ctx, app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.DefaultUploadOptions("/Photos/Phone uploads")}, p); err != nil {
		t.Fatal(err)
	}
	if j := p.Snapshot(); j.Uploaded != 3 {
		t.Fatalf("manual upload: %+v", j)
	}
	run := w.sync(t)
	if run.Downloaded != 0 || run.Uploaded != 0 {
		t.Fatalf("the sync moved the photos uploaded by hand again: %+v", run)
	}
	lib := w.library(t)
	if len(lib) != 3 {
		t.Fatalf("library: %v; want the three photos once", keys(lib))
	}
	if len(w.files(t, "/Photos")) != 3 {
		t.Fatalf("server: %v; want the three photos once", keys(w.files(t, "/Photos")))
	}
	if run := w.sync(t); run.Downloaded+run.Uploaded != 0 {
		t.Fatalf("a later run moved files: %+v", run)
	}
}

// A server version with the library's very bytes (the server's ETag
// changed with a touch) replaces nothing and keeps no version.
func TestTouchedServerCopyReplacesNothing(t *testing.T) {
	orig := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 140})
	w := pairedWorld(t, map[string][]byte{"a/IMG_7.jpg": orig})
	w.clock.Advance(time.Hour)
	w.put(t, "/Photos/a/IMG_7.jpg", orig, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC))
	run := w.sync(t)
	if run.Downloaded != 0 || run.Failed != 0 {
		t.Fatalf("run %+v: want nothing replaced", run)
	}
	if v := w.versions(t); len(v) != 0 {
		t.Fatalf("versions kept of identical content: %v", keys(v))
	}
	if run := w.sync(t); run.Downloaded+run.Uploaded+run.Skipped != 0 {
		t.Fatalf("a later run still sees a change: %+v", run)
	}
}
