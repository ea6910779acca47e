package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// upJob is a job as the API and `upload --json` print it.
type upJob struct {
	ID         int64
	State      string
	FilesTotal int   `json:"files_total"`
	FilesDone  int   `json:"files_done"`
	BytesTotal int64 `json:"bytes_total"`
	BytesDone  int64 `json:"bytes_done"`
	Uploaded   int
	Skipped    int
	Failed     int
	Error      string
	Errors     []struct{ Path, Message string }
}

// upEnv is a data folder and a library folder for the binary's commands.
type upEnv struct {
	t   *testing.T
	env map[string]string
}

func newUpEnv(t *testing.T) *upEnv {
	t.Helper()
	return &upEnv{t: t, env: map[string]string{
		"PHOTOSYNC_DATA": t.TempDir(), "PHOTOSYNC_LIBRARY": t.TempDir(), "PHOTOSYNC_LOG_LEVEL": "warn",
	}}
}

func (e *upEnv) library() string { return e.env["PHOTOSYNC_LIBRARY"] }

// cli runs one command line as main does.
func (e *upEnv) cli(stdin string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return e.env[k] }, strings.NewReader(stdin), &out, &errb)
	if err != nil && exitCode(err) == 2 {
		e.t.Fatalf("photosync %v: usage error: %v\n%s", args, err, errb.String())
	}
	return out.String(), err
}

// addAccount connects a server and returns the account's ID.
func (e *upEnv) addAccount(url, user, password string) int64 {
	e.t.Helper()
	out, err := e.cli(password+"\n", "account", "add", "--url", url, "--user", user, "--password-stdin", "--json")
	if err != nil {
		e.t.Fatalf("account add: %v", err)
	}
	var a struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &a); err != nil || a.ID == 0 {
		e.t.Fatalf("account add: %v %s", err, out)
	}
	return a.ID
}

// index indexes the library into the data folder's database, as
// `photosync index` does, with the real indexer.
func (e *upEnv) index() {
	e.t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	ix := app.NewIndexer(localfs.NewLibrary(e.library()), sqlite.NewLibraryStore(db), media.NewInspector(), system.Clock{}, slog.New(slog.DiscardHandler))
	if _, err := ix.Index(ctx, nil); err != nil {
		e.t.Fatalf("index: %v", err)
	}
}

// upload runs `photosync upload ... --json` and returns the job. err is
// what run returned: nil only for a job that ended done.
func (e *upEnv) upload(account int64, args ...string) (upJob, error) {
	e.t.Helper()
	out, err := e.cli("", append([]string{"upload", "--account", strconv.FormatInt(account, 10), "--json"}, args...)...)
	var j upJob
	if jerr := json.Unmarshal([]byte(out), &j); jerr != nil {
		e.t.Fatalf("upload %v: %v (%v)\n%s", args, jerr, err, out)
	}
	return j, err
}

// upWrite writes a file of the library.
func (e *upEnv) write(rel string, data []byte) { mediatest.WriteFile(e.t, e.library(), rel, data) }

// remoteFiles reads the files of a folder below a server's directory.
func remoteFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("the remote folder: %v", err)
	}
	out := map[string][]byte{}
	for _, en := range entries {
		if en.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[en.Name()] = data
	}
	return out
}

func checkJob(t *testing.T, j upJob, state string, uploaded, skipped, failed int) {
	t.Helper()
	if j.State != state || j.Uploaded != uploaded || j.Skipped != skipped || j.Failed != failed || j.FilesDone != j.FilesTotal {
		t.Fatalf("job %+v; want %s with %d uploaded, %d skipped, %d failed, every file done", j, state, uploaded, skipped, failed)
	}
}

// TestUploadToEveryServer: every kind of file arrives byte-identical in the
// chosen folder, two photos named alike both land, the empty and the
// corrupt file are reported and not sent, and a second upload sends nothing.
func TestUploadToEveryServer(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	servers := []struct {
		name, url, user, pass, dir string
	}{
		{name: "nextcloud", url: nc.BaseURL, user: nc.LoginName, pass: nc.Password, dir: nc.Dir},
	}
	for name, start := range map[string]func(testing.TB) *davtest.Server{"rclone": davtest.StartRclone, "apache": davtest.StartApache} {
		s := start(t)
		servers = append(servers, struct{ name, url, user, pass, dir string }{name, s.URL, s.Username, s.Password, s.Dir})
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			e := newUpEnv(t)
			want := map[string][]byte{
				"IMG_0001.JPG":  mediatest.JPEG(t, mediatest.JPEGOptions{Width: 640, Height: 480, TakenAt: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), Seed: 1}),
				"IMG_E0001.JPG": mediatest.JPEG(t, mediatest.JPEGOptions{Width: 640, Height: 480, TakenAt: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), Seed: 2}),
				"IMG_0001.DNG":  mediatest.RAW(t, 3, 60000),
				"IMG_0001.MOV":  mediatest.Video(t, 4, 300000),
				"IMG_0001.xmp":  mediatest.Sidecar(t, "IMG_0001"),
			}
			for name, data := range want {
				e.write("2024/"+name, data)
			}
			other := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 320, Height: 240, TakenAt: time.Date(2023, 5, 1, 9, 0, 0, 0, time.UTC), Seed: 5})
			e.write("2023/IMG_0001.JPG", other)
			e.write("2023/empty.jpg", nil)
			e.write("2023/corrupt.jpg", mediatest.Corrupt(t))
			e.index()
			id := e.addAccount(srv.url, srv.user, srv.pass)

			j, err := e.upload(id, "--folder", "/Photos/Trip 2024", "--all")
			// The two files the index knew were bad are reported, and are
			// no failure of this run: exit 0, or cron would fail every time.
			if err != nil {
				t.Errorf("upload whose only failures are two known problem files returned %v (exit %d), want exit 0", err, exitCode(err))
			}
			checkJob(t, j, "partial", 6, 0, 2)
			causes := map[string]string{}
			for _, fe := range j.Errors {
				causes[fe.Path] = fe.Message
			}
			if !strings.Contains(causes["2023/empty.jpg"], "empty") || !strings.Contains(causes["2023/corrupt.jpg"], "corrupt") {
				t.Errorf("errors %v do not name the empty and the corrupt file", j.Errors)
			}
			got := remoteFiles(t, filepath.Join(srv.dir, "Photos", "Trip 2024"))
			if len(got) != 6 {
				t.Errorf("the server has %d files: %v", len(got), slices.Sorted(mapKeys(got)))
			}
			for name, data := range want {
				if name == "IMG_0001.JPG" {
					continue
				}
				if !bytes.Equal(got[name], data) {
					t.Errorf("%s: %d bytes on the server, want the %d of the original", name, len(got[name]), len(data))
				}
			}
			first, second := got["IMG_0001.JPG"], got["IMG_0001 (1).JPG"]
			if !(bytes.Equal(first, want["IMG_0001.JPG"]) && bytes.Equal(second, other)) && !(bytes.Equal(first, other) && bytes.Equal(second, want["IMG_0001.JPG"])) {
				t.Errorf("the two IMG_0001.JPG did not both land: %d and %d bytes", len(first), len(second))
			}
			for name, data := range got {
				if len(data) == 0 {
					t.Errorf("%s is empty on the server", name)
				}
			}
			if j.BytesDone != j.BytesTotal || j.BytesDone == 0 {
				t.Errorf("bytes %d of %d", j.BytesDone, j.BytesTotal)
			}

			j, err = e.upload(id, "--folder", "/Photos/Trip 2024", "--all")
			if err != nil {
				t.Errorf("second upload: %v, want exit 0", err)
			}
			checkJob(t, j, "partial", 0, 6, 2)
			if j.BytesDone != 0 {
				t.Errorf("the second upload sent %d bytes", j.BytesDone)
			}
		})
	}
	listings := 0
	for _, r := range nc.Requests() {
		switch {
		case r.Method == "PUT" && (r.ContentLength <= 0 || r.Header.Get("OC-Checksum") == "" || r.Header.Get("X-OC-Mtime") == ""):
			t.Errorf("a PUT to Nextcloud without a length, checksum or modification time: %+v", r)
		case r.Method == "PROPFIND" && r.Depth == "1":
			listings++
		case r.Method == "PROPFIND" && r.Depth != "0":
			t.Errorf("a PROPFIND with Depth %q", r.Depth)
		case r.Method == "GET" && strings.Contains(r.Path, "/remote.php/"):
			t.Errorf("a file was downloaded to compare it although photosync recorded its upload: %+v", r)
		}
	}
	// The first upload lists the folder for the names taken, then once
	// more to check the sizes stored of the files it sent (not a PROPFIND
	// per file); the second sends nothing and only lists the names.
	if listings != 3 {
		t.Errorf("%d listings of the folder in two uploads, want 2 and 1", listings)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestUploadResizedKeepsTheDate: fit_720 of a 2000×1500 JPEG is a smaller
// JPEG of 720 pixels with the date taken of the original.
func TestUploadResizedKeepsTheDate(t *testing.T) {
	srv := davtest.StartRclone(t)
	e := newUpEnv(t)
	taken := time.Date(2022, 8, 9, 10, 11, 12, 0, time.UTC)
	big := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 2000, Height: 1500, TakenAt: taken, Seed: 4})
	e.write("big.jpg", big)
	e.index()
	id := e.addAccount(srv.URL, srv.Username, srv.Password)
	j, err := e.upload(id, "--all", "--size", "fit_720", "--folder", "/Small")
	if err != nil {
		t.Fatal(err)
	}
	checkJob(t, j, "done", 1, 0, 0)
	got := srv.ReadFile(t, "Small/big.jpg")
	info, err := media.NewInspector().Inspect(context.Background(), "big.jpg", bytes.NewReader(got), int64(len(got)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) >= len(big) || info.Width != 720 || info.Height != 540 || !info.TakenAt.Equal(taken) {
		t.Fatalf("resized: %d bytes (of %d), %dx%d, taken %v; want smaller, 720x540, taken %v", len(got), len(big), info.Width, info.Height, info.TakenAt, taken)
	}
	if j.BytesDone != int64(len(got)) {
		t.Errorf("%d bytes counted, %d sent", j.BytesDone, len(got))
	}
	out, err := e.cli("", "upload", "--account", strconv.FormatInt(id, 10), "--all", "--size", "fit_720", "--folder", "/Small")
	if err != nil || !strings.Contains(out, "upload: 0 uploaded, 1 skipped, 0 failed") {
		t.Errorf("second resized upload: %v\n%s", err, out)
	}
}

// TestUploadUsage: command lines that cannot work exit with 2 before
// anything is opened.
func TestUploadUsage(t *testing.T) {
	e := newUpEnv(t)
	for _, args := range [][]string{
		{"upload", "--all"},
		{"upload", "--account", "1"},
		{"upload", "--account", "1", "--all", "3"},
		{"upload", "--account", "1", "--size", "fit_100", "3"},
		{"upload", "--account", "1", "three"},
		{"upload", "--account", "1", "--no-such-flag", "3"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return e.env[k] }, strings.NewReader(""), &out, &errb)
		if exitCode(err) != 2 {
			t.Errorf("photosync %v: %v, want a usage error", args, err)
		}
	}
	if _, err := os.Stat(filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db")); err == nil {
		t.Error("a usage error opened the database")
	}
}

// TestUploadSharedMedia uploads a copy of the shared sample library to an
// rclone server: every file arrives byte-identical, a second upload sends
// nothing, and 2015-02-04.jpg lands beside 2015-02-04(1).jpg.
func TestUploadSharedMedia(t *testing.T) {
	const src = "../../../shared/testdata/media"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Skipf("the shared sample library is not here (%v); the generated libraries of the other tests cover the same ground", err)
	}
	e := newUpEnv(t)
	for _, en := range entries {
		data, err := os.ReadFile(filepath.Join(src, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		e.write(en.Name(), data)
	}
	e.index()
	srv := davtest.StartRclone(t)
	id := e.addAccount(srv.URL, srv.Username, srv.Password)
	j, _ := e.upload(id, "--all", "--folder", "/Samples")
	failed := map[string]bool{}
	for _, fe := range j.Errors {
		failed[fe.Path] = true
	}
	if !failed["empty.jpg"] || j.Failed != len(j.Errors) || j.Uploaded == 0 {
		t.Fatalf("job %+v: want empty.jpg among the failed files and the rest uploaded", j)
	}
	got := remoteFiles(t, filepath.Join(srv.Dir, "Samples"))
	for _, en := range entries {
		if domain.Ignored(en.Name()) || failed[en.Name()] {
			continue
		}
		want, _ := os.ReadFile(filepath.Join(src, en.Name()))
		if !bytes.Equal(got[en.Name()], want) {
			t.Errorf("%s: %d bytes on the server, want the %d of the original", en.Name(), len(got[en.Name()]), len(want))
		}
	}
	for _, name := range []string{"2015-02-04.jpg", "2015-02-04(1).jpg"} {
		if len(got[name]) == 0 {
			t.Errorf("%s did not land", name)
		}
	}
	uploaded := j.Uploaded
	j, _ = e.upload(id, "--all", "--folder", "/Samples")
	if j.Uploaded != 0 || j.Skipped != uploaded || j.BytesDone != 0 {
		t.Errorf("second upload: %+v, want all %d skipped", j, uploaded)
	}
}
