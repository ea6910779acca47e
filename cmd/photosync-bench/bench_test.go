package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

var (
	sizeFlag  = flag.String("size", "tiny", "data set: tiny (10 files, 1 MB, as make test runs it) or default")
	filesFlag = flag.Int("files", 0, "number of files (0 = the size's)")
	mbFlag    = flag.Int("mb", 0, "total megabytes (0 = the size's)")
	repsFlag  = flag.Int("reps", 0, "runs of each tool per scenario (0 = the size's)")
	outFlag   = flag.String("out", "", "folder to write <YYYY-MM-DD>.md to (empty = a temporary one)")
	rcloneBin = flag.String("rclone", "rclone", "the rclone binary, e.g. one built from v1.76.0")
)

// config is the shape of one bench run.
type config struct {
	files, folders, reps int
	bytes                int64
}

// sizes are the data sets by name.
var sizes = map[string]config{
	"tiny":    {files: 10, folders: 4, reps: 2, bytes: 1 << 20},
	"default": {files: 200, folders: 20, reps: 5, bytes: 100 << 20},
}

// TestBench runs every scenario with every tool, alternating them, and
// writes the table. On tiny data (the default, as `make test` runs it) it
// checks that every run did its work, never how fast.
func TestBench(t *testing.T) {
	cfg, ok := sizes[*sizeFlag]
	if !ok {
		t.Fatalf("-size %q: want tiny or default", *sizeFlag)
	}
	if *filesFlag > 0 {
		cfg.files = *filesFlag
	}
	if *mbFlag > 0 {
		cfg.bytes = int64(*mbFlag) << 20
	}
	if *repsFlag > 0 {
		cfg.reps = *repsFlag
	}
	began := time.Now()
	data := generate(t, t.TempDir(), cfg.files, cfg.folders, cfg.bytes, 1)
	bin := buildPhotosync(t)
	srv := davtest.StartApache(t)
	c := startCounter(t, srv.URL)

	rc := []struct {
		name string
		r    rclone
	}{{"rclone copy (defaults)", rclone{bin: *rcloneBin}}}
	tuned := rcloneTunable(t, *rcloneBin)
	if tuned {
		rc = append(rc, struct {
			name string
			r    rclone
		}{"rclone copy (--webdav-pacer-min-sleep 1ms)", rclone{bin: *rcloneBin, extra: []string{"--webdav-pacer-min-sleep", "1ms"}}})
	}

	first, again := map[string][]sample{}, map[string][]sample{}
	var order []string // tool names, in table order
	add := func(m map[string][]sample, name string, s sample) {
		if !containsName(order, name) {
			order = append(order, name)
		}
		m[name] = append(m[name], s)
	}
	for rep := range cfg.reps {
		// Every rep rotates which tool goes first; each run gets a folder
		// of its own on the server, all removed after the rep.
		steps := []func(){
			func() {
				dest := fmt.Sprintf("/bench-%d-photosync", rep)
				p := newPhotosync(t, bin, data.dir, c, srv.Username, srv.Password, dest)
				add(first, "photosync sync", check(t, srv, data, dest, p.sync(t, c)))
				add(again, "photosync sync", p.sync(t, c))
			},
			func() {
				dest := fmt.Sprintf("/bench-%d-put", rep)
				add(first, "plain PUTs (ceiling)", check(t, srv, data, dest, putClient(t, c, data.dir, srv.Username, srv.Password, dest)))
			},
		}
		for i, x := range rc {
			steps = append(steps, func() {
				dest := fmt.Sprintf("/bench-%d-rclone%d", rep, i)
				add(first, x.name, check(t, srv, data, dest, x.r.copy(t, c, data.dir, srv.Username, srv.Password, dest)))
				add(again, x.name, x.r.copy(t, c, data.dir, srv.Username, srv.Password, dest))
			})
		}
		for i := range steps {
			steps[(i+rep)%len(steps)]()
		}
		olds, _ := filepath.Glob(filepath.Join(srv.Dir, "bench-*"))
		for _, old := range olds {
			if err := os.RemoveAll(old); err != nil {
				t.Fatal(err)
			}
		}
	}

	notes := []string{
		fmt.Sprintf("Data: %d seeded JPEGs (a small real JPEG, then random bytes), %.1f MB in %d folders; %d runs of each tool per scenario, alternating; %d parallel transfers.",
			data.files, float64(data.bytes)/1e6, cfg.folders, cfg.reps, transfers),
		"Server: Apache mod_dav (Debian) on 127.0.0.1, behind an in-process counting reverse proxy.",
		"photosync: `photosync sync --account ID` of an account with upload only (index, listing, uploads): what a user runs for a backup. Its account setup is not timed.",
		"rclone: " + rcloneVersion(t, *rcloneBin) + ".",
		fmt.Sprintf("Machine: %s/%s, %d CPUs, %s. Whole bench: %s.", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), time.Since(began).Round(time.Second)),
	}
	if !tuned {
		notes = append(notes, "This rclone has no `--webdav-pacer-min-sleep` (1.60 lacks it): the tuned rclone row is missing; pass `-rclone` a v1.76 binary for it.")
	}
	table := report(data, order, first, again)
	md := "# photosync bench " + began.Format("2006-01-02") + "\n\n" + table + "\n" + "- " + strings.Join(notes, "\n- ") + "\n"

	dir := *outFlag
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, began.Format("2006-01-02")+".md")
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Print(md)
	fmt.Println("written to", out)
	if !strings.Contains(md, "| first backup | photosync sync |") || !strings.Contains(md, "| no-change sync | rclone copy (defaults) |") {
		t.Fatalf("the table lacks rows:\n%s", md)
	}
}

// containsName reports whether names has name.
func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// check fails the test unless dest on the server holds every file of data
// with its size, and answers s.
func check(t testing.TB, srv *davtest.Server, data dataset, dest string, s sample) sample {
	t.Helper()
	n, size := countFiles(t, filepath.Join(srv.Dir, filepath.FromSlash(dest)))
	if n != data.files || size != data.bytes {
		t.Fatalf("%s holds %d files, %d bytes; want %d, %d", dest, n, size, data.files, data.bytes)
	}
	return s
}

// countFiles counts the regular files below dir and their bytes.
func countFiles(t testing.TB, dir string) (int, int64) {
	t.Helper()
	n, size := 0, int64(0)
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			n++
			size += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("count %s: %v", dir, err)
	}
	return n, size
}
