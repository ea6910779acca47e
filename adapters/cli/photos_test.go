package cli

// An internal test: `index` and `photos` are not dispatched from Run yet,
// so the test calls them with pickers of its own use cases.

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/app"
)

type libraryCLI struct {
	t       *testing.T
	cli     *CLI
	out     *bytes.Buffer
	indexer *app.Indexer
	photos  *app.Photos
}

// newLibraryCLI returns the CLI on a library in dir, with a SQLite
// database in a temporary folder.
func newLibraryCLI(t *testing.T, dir string) *libraryCLI {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := sqlite.NewLibraryStore(db)
	log := slog.New(slog.DiscardHandler)
	l := &libraryCLI{t: t, out: &bytes.Buffer{},
		indexer: app.NewIndexer(localfs.NewLibrary(dir), store, media.NewInspector(), system.Clock{}, log),
		photos:  app.NewPhotos(store, nil, sqlite.NewUploadStore(db)),
	}
	l.cli = &CLI{Stdout: l.out, Stderr: l.out, Getenv: func(string) string { return "" },
		Open: func(context.Context) (*app.App, func(), error) { return &app.App{}, func() {}, nil }}
	return l
}

func (l *libraryCLI) services() *app.App { return &app.App{Indexer: l.indexer, Photos: l.photos} }

// run runs `index` or `photos` with args and returns the output.
func (l *libraryCLI) run(args ...string) string {
	l.t.Helper()
	l.out.Reset()
	if err := l.cli.runWith(context.Background(), l.services(), args[0], args[1:]); err != nil {
		l.t.Fatalf("photosync %s: %v\n%s", strings.Join(args, " "), err, l.out)
	}
	return l.out.String()
}

func TestIndexAndPhotosCommands(t *testing.T) {
	dir := t.TempDir()
	taken := time.Date(2019, 6, 14, 10, 41, 33, 0, time.UTC)
	mediatest.WriteFile(t, dir, "IMG_4120.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{TakenAt: taken}))
	mediatest.WriteFile(t, dir, "IMG_E4120.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{TakenAt: taken, Seed: 2}))
	mediatest.WriteFile(t, dir, "trip/canon_eos_6d.dng", mediatest.RAW(t, 1, 2048))
	mediatest.WriteFile(t, dir, "trip/canon_eos_6d.xmp", mediatest.Sidecar(t, "canon_eos_6d"))
	mediatest.WriteFile(t, dir, "trip/live.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 3}))
	mediatest.WriteVideo(t, dir, "trip/live.mov", 4, 4096)
	mediatest.WriteFile(t, dir, "empty.jpg", nil)
	mediatest.WriteFile(t, dir, "broken.jpg", mediatest.Corrupt(t))
	l := newLibraryCLI(t, dir)

	out := l.run("index")
	for _, want := range []string{
		"Indexed 8 files: 3 photos, 7 files read, 0 missing, 2 with problems.",
		"broken.jpg corrupt or truncated",
		"empty.jpg empty file (0 bytes)",
	} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("index output lacks %q:\n%s", want, out)
		}
	}
	out = l.run("photos")
	for _, want := range []string{
		"2019-06-14 10:41:33 IMG_4120 JPG+JPG(edited) -",
		"trip/canon_eos_6d DNG+XMP -",
		"trip/live JPG+MOV -",
		"\n3 photos.",
	} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("photos output lacks %q:\n%s", want, out)
		}
	}
	if out = l.run("photos", "--q", "TRIP", "--kind", "video"); !strings.Contains(out, "trip/live") || strings.Contains(out, "canon") {
		t.Errorf("photos --q TRIP --kind video:\n%s", out)
	}
	if out = l.run("photos", "--count", "1", "--offset", "1"); !strings.Contains(out, "1 of 3 photos.") {
		t.Errorf("photos --count 1:\n%s", out)
	}

	var res jsonview.IndexResult
	if err := json.Unmarshal([]byte(l.run("index", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Files != 8 || res.Read != 0 || res.Photos != 3 || len(res.Problems) != 2 || res.Problems[0].Name != "broken.jpg" {
		t.Errorf("index --json again: %+v", res)
	}
	var page jsonview.PhotoPage
	if err := json.Unmarshal([]byte(l.run("photos", "--json")), &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Photos) != 3 || page.Photos[2].Name != "IMG_4120" || len(page.Photos[2].Files) != 2 {
		t.Errorf("photos --json: %+v", page)
	}

	for _, args := range [][]string{{"--kind", "doc"}, {"--count", "5000"}, {"--offset", "-1"}, {"extra"}} {
		err := l.cli.runWith(context.Background(), l.services(), "photos", args)
		if ExitCode(err) != 2 {
			t.Errorf("photos %q: %v, want a usage error", args, err)
		}
	}
}

// squeeze collapses the runs of spaces a table aligns its columns with.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// TestIndexSharedMedia is the check of issue 3: `photosync index` on a
// copy of the shared sample media stacks RAW, HEIC, video, sidecars and
// the edited copy with their primaries, and reports the empty and the
// corrupt JPEG.
func TestIndexSharedMedia(t *testing.T) {
	const shared = "../../../shared/testdata/media"
	entries, err := os.ReadDir(shared)
	if err != nil {
		t.Skipf("the shared sample media are not here (%v)", err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(shared, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		mediatest.WriteFile(t, dir, e.Name(), data)
	}
	l := newLibraryCLI(t, dir)
	out := l.run("index")
	t.Logf("photosync index:\n%s", out)
	var res jsonview.IndexResult
	if err := json.Unmarshal([]byte(l.run("index", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, f := range res.Problems {
		problems = append(problems, f.Name+": "+strings.SplitN(f.Problem, ":", 2)[0])
	}
	if want := []string{"broken-animated-earth.jpg: corrupt or truncated", "empty.jpg: empty file (0 bytes)"}; !slices.Equal(problems, want) {
		t.Errorf("problems %q, want %q", problems, want)
	}

	t.Logf("photosync photos:\n%s", l.run("photos"))
	var page jsonview.PhotoPage
	if err := json.Unmarshal([]byte(l.run("photos", "--json")), &page); err != nil {
		t.Fatal(err)
	}
	stacks := map[string]string{}
	for _, p := range page.Photos {
		var files []string
		for _, f := range p.Files {
			files = append(files, f.Name+"="+f.Role)
		}
		stacks[p.Name] = strings.Join(files, " ")
	}
	for name, want := range map[string]string{
		"IMG_4120":                     "IMG_4120.JPG=primary IMG_E4120.JPG=edited",
		"canon_eos_6d":                 "canon_eos_6d.dng=primary canon_eos_6d.xmp=sidecar",
		"iphone_7":                     "iphone_7.heic=primary iphone_7.xmp=sidecar",
		"christmas":                    "christmas.mp4=primary",
		"earth":                        "earth.mov=primary",
		"2015-02-04":                   "2015-02-04.jpg=primary",
		"telegram_2020-01-30_09-57-18": "telegram_2020-01-30_09-57-18.jpg=primary",
	} {
		if stacks[name] != want {
			t.Errorf("photo %s: %q, want %q", name, stacks[name], want)
		}
	}
	if _, ok := stacks["IMG_E4120"]; ok || page.Total != len(entries)-1-2-3 {
		t.Errorf("%d photos from %d files; want one per file but README.md, the 2 problems and the 3 stacked files", page.Total, len(entries))
	}
	for _, p := range page.Photos {
		if p.Name == "telegram_2020-01-30_09-57-18" && p.Files[0].TakenSource == "mtime" {
			t.Errorf("telegram photo dated from its modification time: %+v", p.Files[0])
		}
	}
}
