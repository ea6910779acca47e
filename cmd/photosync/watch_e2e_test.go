package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// watchStatus is GET /api/v1/watch.
type watchStatus struct {
	Watching  bool
	LastEvent *struct {
		Kind, Path string
	} `json:"last_event"`
	FellBack string `json:"fell_back"`
	Runs     int
}

// watchRun is a run as GET /accounts/:id/runs answers it.
type watchRun struct {
	ID         int64
	Uploaded   int
	Downloaded int
	Complete   bool
}

// watchEnv is a serve watching its library with a short quiet period, and
// a Nextcloud account that syncs both ways every hour: its first sync ran
// already (by hand, before serve started), so every run that follows while
// a test looks is the watcher's.
type watchEnv struct {
	*upEnv
	nc   *davtest.Nextcloud
	in   *instance
	id   int64
	base string
}

func startWatching(t *testing.T, delay string) *watchEnv {
	t.Helper()
	nc := davtest.StartNextcloud(t)
	e := newUpEnv(t)
	e.write("first.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: 1000}))
	id := e.syncAccount(davSide{url: nc.BaseURL, user: nc.LoginName, pass: nc.Password}, "/Photos", "--sync-interval", "1h")
	e.mustSync(id, 0, 1)
	in := startServe(t, e.env["PHOTOSYNC_DATA"], map[string]string{
		"PHOTOSYNC_LIBRARY": e.library(), "PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e", "PHOTOSYNC_WATCH_DELAY": delay,
		"PHOTOSYNC_LOG_LEVEL": "warn",
	})
	in.login("admin-e2e")
	w := &watchEnv{upEnv: e, nc: nc, in: in, id: id, base: "/api/v1/accounts/" + strconv.FormatInt(id, 10)}
	waitFor(t, "serve to watch the library", func() bool { return w.status().Watching })
	return w
}

func (w *watchEnv) status() watchStatus {
	w.t.Helper()
	var s watchStatus
	if st := w.in.call("GET", "/api/v1/watch", nil, &s); st != 200 {
		w.t.Fatalf("GET /api/v1/watch: %d", st)
	}
	return s
}

func (w *watchEnv) runs() []watchRun {
	w.t.Helper()
	var r struct{ Runs []watchRun }
	if st := w.in.call("GET", w.base+"/runs", nil, &r); st != 200 {
		w.t.Fatalf("runs: %d", st)
	}
	return r.Runs
}

// arrived reports whether every file of want is on the server, whole.
func (w *watchEnv) arrived(want map[string][]byte) bool {
	for rel, data := range want {
		got, err := os.ReadFile(filepath.Join(w.nc.Dir, "Photos", filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, data) {
			return false
		}
	}
	return true
}

// waitArrived polls until want is on the server and the run that sent it
// has ended complete (so that its proof of the upload is done).
func (w *watchEnv) waitArrived(what string, want map[string][]byte) {
	w.t.Helper()
	waitFor(w.t, what, func() bool {
		if !w.arrived(want) {
			return false
		}
		runs := w.runs()
		return len(runs) > 0 && runs[0].Complete
	})
}

// TestWatchBacksUpNewFilesAtOnce: files copied into the library, into a
// new folder too, reach the server without anyone pressing anything and
// hours before the account's interval; a file on the server is not
// downloaded by those runs (downloads keep the interval); removing a
// watched folder and creating it again keeps working.
func TestWatchBacksUpNewFilesAtOnce(t *testing.T) {
	w := startWatching(t, "500ms")
	remote := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: 2000})
	w.nc.WriteFile(t, "Photos/from-server.jpg", remote)

	want := map[string][]byte{}
	for i := range 3 {
		rel := fmt.Sprintf("card/DCIM/img%d.jpg", i)
		want[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 30, Height: 20, Seed: int64(i)})
		w.write(rel, want[rel])
	}
	w.waitArrived("the copied files to reach the server", want)
	if _, err := os.Stat(filepath.Join(w.library(), "nextcloud", "from-server.jpg")); err == nil {
		t.Error("the watcher's run downloaded a file: downloads follow the interval")
	}
	runs := w.runs()
	if runs[0].Downloaded != 0 || runs[0].Uploaded == 0 {
		t.Errorf("the watcher's last run: %+v", runs[0])
	}
	if s := w.status(); !s.Watching || s.LastEvent == nil || s.Runs == 0 || s.FellBack != "" {
		t.Errorf("watch status: %+v", s)
	}

	// The folder goes away and comes back: the new one is watched too.
	if err := os.RemoveAll(filepath.Join(w.library(), "card")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the watcher to see the folder go", func() bool {
		s := w.status()
		return s.LastEvent != nil && s.LastEvent.Path == "card" && s.LastEvent.Kind == "removed"
	})
	if err := os.Mkdir(filepath.Join(w.library(), "card"), 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the watcher to see the folder again", func() bool {
		s := w.status()
		return s.LastEvent != nil && s.LastEvent.Path == "card"
	})
	again := map[string][]byte{"card/again.jpg": mediatest.JPEG(t, mediatest.JPEGOptions{Width: 30, Height: 20, Seed: 77})}
	w.write("card/again.jpg", again["card/again.jpg"])
	w.waitArrived("a file in the folder made again to reach the server", again)
}

// TestWatchWaitsForAFileBeingWritten: a file written slowly (a chunk at a
// time, with pauses shorter than the quiet period) is sent once, whole.
func TestWatchWaitsForAFileBeingWritten(t *testing.T) {
	w := startWatching(t, "1s")
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300, Seed: 5})
	f, err := os.Create(filepath.Join(w.library(), "slow.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// The writer's own pace: the scenario, not a synchronisation.
	pace := time.NewTicker(300 * time.Millisecond)
	chunk := (len(data) + 7) / 8
	for off := 0; off < len(data); off += chunk {
		<-pace.C
		if _, err := f.Write(data[off:min(off+chunk, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	pace.Stop()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	w.waitArrived("the slowly written file to reach the server", map[string][]byte{"slow.jpg": data})
	sent := 0
	for _, r := range w.nc.Requests() {
		if r.Method == "PUT" && filepath.Base(r.Path) == "slow.jpg" {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("slow.jpg was sent %d times, want once (whole)", sent)
	}
	for _, r := range w.runs() {
		if r.Complete && r.Uploaded > 1 {
			t.Errorf("a run uploaded %d files: %+v", r.Uploaded, r)
		}
	}
}

// TestWatchBurstIsOneRun: 500 files copied at once become one run.
func TestWatchBurstIsOneRun(t *testing.T) {
	w := startWatching(t, "3s")
	before := len(w.runs())
	want := map[string][]byte{}
	for i := range 500 {
		rel := fmt.Sprintf("burst/%03d.jpg", i)
		want[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 8, Height: 8, Seed: int64(10000 + i)})
	}
	for rel, data := range want {
		w.write(rel, data)
	}
	w.waitArrived("the 500 files to reach the server", want)
	runs := w.runs()
	if len(runs)-before != 1 || runs[0].Uploaded != 500 {
		t.Fatalf("%d runs after the burst, the last %+v; want one run of 500 uploads", len(runs)-before, runs[0])
	}
	if s := w.status(); s.Runs != 1 {
		t.Errorf("the watcher started %d runs, want 1", s.Runs)
	}
}

// TestWatchInTheBrowser: the Photos page says the library is watched,
// with the last change, and the tile of a photo copied into the library
// ends with the Verified badge without a reload.
func TestWatchInTheBrowser(t *testing.T) {
	w := startWatching(t, "1s")
	b := startBrowser(t, w.in.url)
	b.do("open photosync", chromedp.Navigate(w.in.url+"/photos"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-e2e")
	b.click(".signin-card button[type=submit]")
	b.waitFor("the first photo", `document.querySelectorAll('#photo-grid .tile').length === 1`)
	b.waitText("#watch-status", "Watching the library")

	data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 120, Height: 90, Seed: 4242})
	w.write("card/new-photo.jpg", data)
	b.waitText("#watch-status", "card/new-photo.jpg")
	b.waitFor("the new photo's tile verified", `[...document.querySelectorAll('#photo-grid .tile')].some((t) =>
		t.title === 'card/new-photo.jpg' && !!t.querySelector('.badge.verified'))`)
	if !w.arrived(map[string][]byte{"card/new-photo.jpg": data}) {
		t.Fatal("the tile says verified, the server does not have the file")
	}
	b.shot("photos-watching")
	if p := b.consoleProblems(); len(p) > 0 {
		t.Fatalf("console problems: %v", p)
	}
}
