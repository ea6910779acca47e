package app_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// upWorld is the upload use case on in-memory stores and server, with a
// library folder on disk. Tests change wrap to put faults between the
// uploader and the server.
type upWorld struct {
	dir      string
	clock    *memory.Clock
	server   *memory.Server
	accounts *app.Accounts
	library  *memory.LibraryStore
	uploads  *memory.UploadStore
	up       *app.Uploader
	account  domain.Account
	wrap     func(ports.RemoteStorage) ports.RemoteStorage
}

// upConnector opens the memory server's storage through the world's wrap.
type upConnector struct {
	*memory.Connector
	w *upWorld
}

func (c upConnector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	st, err := c.Connector.Open(creds, typ)
	if err != nil || c.w.wrap == nil {
		return st, err
	}
	return c.w.wrap(st), nil
}

func newUpWorld(t *testing.T) *upWorld {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	w := &upWorld{dir: t.TempDir(), clock: clock, server: memory.NewServer(clock), library: memory.NewLibraryStore(), uploads: memory.NewUploadStore()}
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", w.server)
	w.accounts = app.NewAccounts(memory.NewAccountStore(clock), box, upConnector{conn, w}, clock, log)
	w.account, err = w.accounts.Connect(context.Background(), app.AccountInput{
		URL: ptr("https://dav.example.com/"), Username: ptr("bob"), Password: ptr("hunter2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	w.up = app.NewUploader(w.accounts, localfs.NewLibrary(w.dir), w.library, w.uploads, media.NewResizer(), clock, log)
	w.up.RetryDelay = time.Millisecond
	return w
}

// upFile is a library file to write and index: its path and content.
type upFile struct {
	rel  string
	data []byte
}

// index writes the files of one photo (the first is its primary) to the
// library and saves them in the index, as an index run would.
func (w *upWorld) index(t *testing.T, files ...upFile) domain.Photo {
	t.Helper()
	folder, name := path.Dir(files[0].rel), strings.TrimSuffix(path.Base(files[0].rel), path.Ext(files[0].rel))
	ph := domain.Photo{Key: folder + "/" + strings.ToLower(name), Folder: folder, Name: name}
	for i, f := range files {
		p := mediatest.WriteFile(t, w.dir, f.rel, f.data)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		kind := domain.KindOf(f.rel)
		role := map[domain.Kind]domain.Role{domain.KindImage: domain.RoleEdited, domain.KindRaw: domain.RoleRaw,
			domain.KindVideo: domain.RoleVideo, domain.KindSidecar: domain.RoleSidecar}[kind]
		if i == 0 {
			role = domain.RolePrimary
		}
		file := domain.LibraryFile{Path: f.rel, Kind: kind, Role: role, Size: fi.Size(), ModTime: fi.ModTime(),
			SHA1: upSHA1(f.data), TakenSource: domain.TakenFromMTime}
		if len(f.data) == 0 {
			file.Problem = domain.ProblemEmpty
		}
		ph.Files = append(ph.Files, file)
	}
	photos := []domain.Photo{ph}
	if err := w.library.SaveIndex(context.Background(), photos, nil, nil, time.Now()); err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
	return photos[0]
}

// run uploads photos with opts and returns the job as it ended.
func (w *upWorld) run(t *testing.T, opts domain.UploadOptions, photos ...domain.Photo) (domain.Job, error) {
	t.Helper()
	req := app.UploadRequest{AccountID: w.account.ID, Options: opts}
	for _, p := range photos {
		req.PhotoIDs = append(req.PhotoIDs, p.ID)
	}
	if len(photos) == 0 {
		req.All = true
	}
	p := app.NewProgress(domain.Job{}, nil)
	err := w.up.Upload(context.Background(), req, p)
	return p.Snapshot(), err
}

// remote returns a file on the server, failing the test when it is not there.
func (w *upWorld) remote(t *testing.T, p string) []byte {
	t.Helper()
	data, ok := w.server.File(p)
	if !ok {
		t.Fatalf("%s is not on the server", p)
	}
	return data
}

func upSHA1(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func checkUpCounts(t *testing.T, j domain.Job, uploaded, skipped, failed int) {
	t.Helper()
	if j.Uploaded != uploaded || j.Skipped != skipped || j.Failed != failed || j.FilesDone != uploaded+skipped+failed || j.FilesTotal != j.FilesDone {
		t.Fatalf("counts: %d uploaded, %d skipped, %d failed, %d of %d done (errors %v); want %d, %d, %d",
			j.Uploaded, j.Skipped, j.Failed, j.FilesDone, j.FilesTotal, j.Errors, uploaded, skipped, failed)
	}
}

func TestUploadSendsEveryKindAndSkipsTheSecondTime(t *testing.T) {
	w := newUpWorld(t)
	files := []upFile{
		{"2024/IMG_1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1})},
		{"2024/IMG_E1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 2})},
		{"2024/IMG_1.DNG", mediatest.RAW(t, 3, 40000)},
		{"2024/IMG_1.MOV", mediatest.Video(t, 4, 300000)},
		{"2024/IMG_1.xmp", mediatest.Sidecar(t, "IMG_1")},
	}
	ph := w.index(t, files...)
	j, err := w.run(t, domain.DefaultUploadOptions("/Photos/Trip"), ph)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 5, 0, 0)
	var total int64
	for _, f := range files {
		if got := w.remote(t, "/Photos/Trip/"+path.Base(f.rel)); !bytes.Equal(got, f.data) {
			t.Errorf("%s arrived with %d bytes, not the %d of the original", f.rel, len(got), len(f.data))
		}
		total += int64(len(f.data))
	}
	if j.BytesDone != total || j.BytesTotal != total {
		t.Errorf("bytes %d of %d, want %d of %d", j.BytesDone, j.BytesTotal, total, total)
	}
	recs, err := w.uploads.UploadsOf(context.Background(), []int64{ph.Files[0].ID})
	if err != nil || len(recs[ph.Files[0].ID]) != 1 {
		t.Fatalf("records: %v, %v", recs, err)
	}
	if r := recs[ph.Files[0].ID][0]; r.RemotePath != "/Photos/Trip/IMG_1.JPG" || r.Size != int64(len(files[0].data)) ||
		r.SHA1 != upSHA1(files[0].data) || r.SourceSHA1 != r.SHA1 || r.UploadSize != domain.SizeOriginal || r.AccountID != w.account.ID {
		t.Errorf("record %+v", r)
	}

	j, err = w.run(t, domain.DefaultUploadOptions("/Photos/Trip"), ph)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 0, 5, 0)
	if j.BytesDone != 0 {
		t.Errorf("the second upload sent %d bytes", j.BytesDone)
	}
}

func TestUploadIncludeOptions(t *testing.T) {
	w := newUpWorld(t)
	ph := w.index(t, upFile{"a/x.jpg", []byte("jpeg")}, upFile{"a/x.dng", []byte("raw")}, upFile{"a/x.mov", []byte("video")}, upFile{"a/x.xmp", []byte("xmp")})
	opts := domain.DefaultUploadOptions("/P")
	opts.IncludeRaw, opts.IncludeVideo, opts.IncludeSidecars = false, false, false
	j, err := w.run(t, opts, ph)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 1, 0, 0)
	w.remote(t, "/P/x.jpg")
	for _, p := range []string{"/P/x.dng", "/P/x.mov", "/P/x.xmp"} {
		if _, ok := w.server.File(p); ok {
			t.Errorf("%s was sent though its kind was left out", p)
		}
	}
}

// TestUploadSameNames: two photos named alike in different folders land
// side by side; content already on the server is skipped (found by
// downloading it, with no record) and recorded; a same-named file of the
// same size but other content is not taken for it.
func TestUploadSameNames(t *testing.T) {
	w := newUpWorld(t)
	a := w.index(t, upFile{"2023/IMG_1.jpg", []byte("first photo")})
	b := w.index(t, upFile{"2024/IMG_1.jpg", []byte("other photo")})
	c := w.index(t, upFile{"2024/IMG_2.jpg", []byte("third photo")})
	d := w.index(t, upFile{"2024/IMG_3.jpg", []byte("fourth")})
	rem := memory.NewRemote(w.server)
	ctx := context.Background()
	if err := rem.MkdirAll(ctx, "/P"); err != nil {
		t.Fatal(err)
	}
	for p, data := range map[string]string{"/P/IMG_2.jpg": "third photo", "/P/img_3.JPG": "FOURTH"} {
		if err := rem.Upload(ctx, p, strings.NewReader(data), int64(len(data)), domain.UploadMeta{}); err != nil {
			t.Fatal(err)
		}
	}
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), a, b, c, d)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 3, 1, 0)
	for p, want := range map[string]string{
		"/P/IMG_1.jpg": "first photo", "/P/IMG_1 (1).jpg": "other photo", "/P/IMG_2.jpg": "third photo",
		"/P/img_3.JPG": "FOURTH", "/P/IMG_3 (1).jpg": "fourth",
	} {
		if got := string(w.remote(t, p)); got != want {
			t.Errorf("%s holds %q, want %q", p, got, want)
		}
	}
	recs, _ := w.uploads.UploadsIn(ctx, w.account.ID, "/P")
	if len(recs) != 4 {
		t.Errorf("%d records, want 4 (three sent, one found)", len(recs))
	}
	j, err = w.run(t, domain.DefaultUploadOptions("/P"), d, c, b, a)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 0, 4, 0)
}

// TestUploadProblemFilesAreNotSent: an empty file, a corrupt one and one
// deleted or emptied since the index are failures with their cause; the rest goes on.
func TestUploadProblemFilesAreNotSent(t *testing.T) {
	w := newUpWorld(t)
	w.index(t, upFile{"a/good.jpg", []byte("fine")})
	w.index(t, upFile{"a/empty.jpg", nil})
	w.index(t, upFile{"a/gone.jpg", []byte("soon gone")})
	w.index(t, upFile{"a/emptied.jpg", []byte("soon empty")})
	corrupt := domain.LibraryFile{Path: "a/bad.jpg", Kind: domain.KindImage, Size: 9, SHA1: upSHA1([]byte("corrupted")), Problem: domain.ProblemCorrupt}
	if err := w.library.SaveIndex(context.Background(), nil, []domain.LibraryFile{corrupt}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	mediatest.WriteFile(t, w.dir, "a/bad.jpg", []byte("corrupted"))
	if err := os.Remove(filepath.Join(w.dir, "a", "gone.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(w.dir, "a", "emptied.jpg"), 0); err != nil {
		t.Fatal(err)
	}
	j, err := w.run(t, domain.DefaultUploadOptions("/P")) // all: the index's problems are reported too
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 1, 0, 4)
	causes := map[string]string{}
	for _, e := range j.Errors {
		causes[e.Path] = e.Message
	}
	for p, word := range map[string]string{"a/empty.jpg": "empty", "a/bad.jpg": "corrupt", "a/gone.jpg": "missing", "a/emptied.jpg": "empty"} {
		if !strings.Contains(causes[p], word) {
			t.Errorf("the error of %s is %q, want one that says %q", p, causes[p], word)
		}
	}
	for _, p := range []string{"/P/empty.jpg", "/P/bad.jpg", "/P/gone.jpg", "/P/emptied.jpg"} {
		if _, ok := w.server.File(p); ok {
			t.Errorf("%s was sent", p)
		}
	}
	if string(w.remote(t, "/P/good.jpg")) != "fine" {
		t.Error("the good file did not arrive")
	}
}

// TestUploadFileNeverHashed: a file the index did not hash is read to tell
// whether it is on the server already.
func TestUploadFileNeverHashed(t *testing.T) {
	w := newUpWorld(t)
	ph := w.index(t, upFile{"a/x.jpg", []byte("not hashed")})
	ph.Files[0].SHA1 = ""
	if err := w.library.SaveIndex(context.Background(), []domain.Photo{ph}, nil, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][2]int{{1, 0}, {0, 1}} {
		j, err := w.run(t, domain.DefaultUploadOptions("/P"), ph)
		if err != nil {
			t.Fatal(err)
		}
		checkUpCounts(t, j, want[0], want[1], 0)
		recs, _ := w.uploads.UploadsIn(context.Background(), w.account.ID, "/P")
		if len(recs) != 1 || recs[0].SourceSHA1 != upSHA1([]byte("not hashed")) {
			t.Fatalf("upload %d: records %+v", i+1, recs)
		}
	}
}
