package app_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// walkRemote wraps a RemoteStorage and records what a walk asks of it:
// listings per folder, the most at once, Stat calls. With a gate, listings
// of folders other than hold wait until the gate is closed, each saying
// so on entered first.
type walkRemote struct {
	ports.RemoteStorage
	hold    string
	entered chan string
	gate    chan struct{}
	fail    map[string]error // List answers these errors for these folders

	mu             sync.Mutex
	lists          map[string]int
	stats          int
	inflight, most int
}

func newWalkRemote(st ports.RemoteStorage) *walkRemote {
	return &walkRemote{RemoteStorage: st, lists: map[string]int{}, fail: map[string]error{}}
}

func (r *walkRemote) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	r.mu.Lock()
	r.stats++
	r.mu.Unlock()
	return r.RemoteStorage.Stat(ctx, p)
}

func (r *walkRemote) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	r.mu.Lock()
	r.lists[dir]++
	r.inflight++
	r.most = max(r.most, r.inflight)
	err := r.fail[dir]
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inflight--
		r.mu.Unlock()
	}()
	if r.gate != nil && dir != r.hold {
		r.entered <- dir
		select {
		case <-r.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return r.RemoteStorage.List(ctx, dir)
}

// walkTree is the tree the walk tests start from: folders at several
// depths, an empty one, files directly in the top folder.
var walkTree = map[string]string{
	"/Photos/a.jpg":               "a",
	"/Photos/2023/b.jpg":          "bb",
	"/Photos/2023/12/c.jpg":       "ccc",
	"/Photos/2024/d.mp4":          "dddd",
	"/Photos/2024/05/e.jpg":       "eeeee",
	"/Photos/2024/05/e.jpg.xmp":   "<x/>",
	"/Photos/2025/01/02/deep.jpg": "deep",
}

var walkFolders = []string{"/Photos", "/Photos/2023", "/Photos/2023/12", "/Photos/2024", "/Photos/2024/05",
	"/Photos/2025", "/Photos/2025/01", "/Photos/2025/01/02", "/Photos/empty"}

func newWalkServer(t *testing.T) (*memory.Server, ports.RemoteStorage) {
	t.Helper()
	srv := memory.NewServer(memory.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	st := memory.NewRemote(srv)
	walkUpload(t, st, walkTree)
	if err := st.MkdirAll(context.Background(), "/Photos/empty"); err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func walkUpload(t *testing.T, st ports.RemoteStorage, files map[string]string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := st.MkdirAll(ctx, p[:strings.LastIndex(p, "/")]); err != nil {
			t.Fatal(err)
		}
		if err := st.Upload(ctx, p, strings.NewReader(files[p]), int64(len(files[p])), domain.UploadMeta{}); err != nil {
			t.Fatal(err)
		}
	}
}

func mustWalk(t *testing.T, st ports.RemoteStorage, root string, prev []domain.RemoteFolder, trust bool, parallel int) ([]domain.RemoteFile, []domain.RemoteFolder, app.WalkStats) {
	t.Helper()
	files, folders, stats, err := app.WalkRemote(context.Background(), st, root, prev, trust, parallel)
	if err != nil {
		t.Fatalf("WalkRemote: %v", err)
	}
	return files, folders, stats
}

// walkSizes answers path -> size of the files, and fails on folders.
func walkSizes(t *testing.T, files []domain.RemoteFile) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, f := range files {
		if f.IsDir {
			t.Errorf("WalkRemote returned the folder %s among the files", f.Path)
		}
		out[f.Path] = f.Size
	}
	return out
}

func checkWalkFiles(t *testing.T, files []domain.RemoteFile, want map[string]string) {
	t.Helper()
	wantSizes := map[string]int64{}
	for p, c := range want {
		wantSizes[p] = int64(len(c))
	}
	if got := walkSizes(t, files); !maps.Equal(got, wantSizes) {
		t.Errorf("WalkRemote files = %v, want %v", got, wantSizes)
	}
	if !slices.IsSortedFunc(files, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) }) {
		t.Errorf("WalkRemote files are not ordered by path")
	}
}

func folderPaths(folders []domain.RemoteFolder) []string {
	var out []string
	for _, f := range folders {
		out = append(out, f.Path)
	}
	return out
}

func TestWalkRemoteListsEveryFolderOnceInParallel(t *testing.T) {
	_, mem := newWalkServer(t)
	for i := range 6 { // more subfolders than listings at once
		walkUpload(t, mem, map[string]string{fmt.Sprintf("/Photos/more%d/x.jpg", i): "x"})
	}
	st := newWalkRemote(mem)
	st.hold, st.entered, st.gate = "/Photos", make(chan string, 100), make(chan struct{})

	type result struct {
		files   []domain.RemoteFile
		folders []domain.RemoteFolder
		stats   app.WalkStats
		err     error
	}
	done := make(chan result, 1)
	go func() {
		files, folders, stats, err := app.WalkRemote(context.Background(), st, "/Photos/", nil, true, 3)
		done <- result{files, folders, stats, err}
	}()
	for range 3 {
		select {
		case <-st.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("fewer than 3 folders were listed at once")
		}
	}
	close(st.gate)
	r := <-done
	if r.err != nil {
		t.Fatalf("WalkRemote: %v", r.err)
	}
	if st.most != 3 {
		t.Errorf("at most %d folders were listed at once, want 3", st.most)
	}
	want := maps.Clone(walkTree)
	wantFolders := slices.Clone(walkFolders)
	for i := range 6 {
		want[fmt.Sprintf("/Photos/more%d/x.jpg", i)] = "x"
		wantFolders = append(wantFolders, fmt.Sprintf("/Photos/more%d", i))
	}
	slices.Sort(wantFolders)
	checkWalkFiles(t, r.files, want)
	if got := folderPaths(r.folders); !slices.Equal(got, wantFolders) {
		t.Errorf("folders = %v, want %v", got, wantFolders)
	}
	for _, f := range wantFolders {
		if st.lists[f] != 1 {
			t.Errorf("%s was listed %d times, want once", f, st.lists[f])
		}
	}
	if len(st.lists) != len(wantFolders) || st.stats != 1 {
		t.Errorf("listed %d folders and asked for %d stats; want %d and 1", len(st.lists), st.stats, len(wantFolders))
	}
	if r.stats != (app.WalkStats{Listed: len(wantFolders)}) {
		t.Errorf("stats = %+v, want %d listed", r.stats, len(wantFolders))
	}
	// Each folder keeps its direct children, files and folders.
	for _, f := range r.folders {
		if f.Path == "/Photos/2024" {
			var names []string
			for _, c := range f.Files {
				names = append(names, fmt.Sprintf("%s:%v", c.Name, c.IsDir))
			}
			if strings.Join(names, " ") != "05:true d.mp4:false" {
				t.Errorf("/Photos/2024 remembers %v", names)
			}
		}
	}
}

// TestWalkRemoteMemoryDoesNotPropagate: memory.Server, like rclone,
// x/net/webdav and Apache, gives a folder an ETag that does not change
// when something below it does. Detection says so; trusting the ETags
// anyway would miss the change.
func TestWalkRemoteMemoryDoesNotPropagate(t *testing.T) {
	_, st := newWalkServer(t)
	_, before, _ := mustWalk(t, st, "/Photos", nil, false, 0)
	if v, known := app.PropagatesETags(before, before); v || known {
		t.Errorf("PropagatesETags without a change = %v, %v; want no evidence", v, known)
	}
	walkUpload(t, st, map[string]string{"/Photos/2023/12/c.jpg": "changed deep down"})

	files, after, stats := mustWalk(t, st, "/Photos", before, false, 0)
	want := maps.Clone(walkTree)
	want["/Photos/2023/12/c.jpg"] = "changed deep down"
	checkWalkFiles(t, files, want)
	if stats != (app.WalkStats{Listed: len(walkFolders)}) {
		t.Errorf("stats without trust = %+v, want every folder listed", stats)
	}
	if v, known := app.PropagatesETags(before, after); v || !known {
		t.Errorf("PropagatesETags on memory.Server = %v, %v; want false, known", v, known)
	}

	// What trusting a server that does not propagate costs: the change is
	// not seen.
	stale, _, stats := mustWalk(t, st, "/Photos", before, true, 0)
	if walkSizes(t, stale)["/Photos/2023/12/c.jpg"] != 3 || stats.Listed != 0 {
		t.Errorf("a trusting walk listed %d folders and saw c.jpg; memory.Server's ETags must not propagate", stats.Listed)
	}
}

func TestWalkRemoteFailures(t *testing.T) {
	ctx := context.Background()
	_, mem := newWalkServer(t)

	if _, _, _, err := app.WalkRemote(ctx, mem, "/Missing", nil, false, 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("WalkRemote of a missing folder = %v, want ENOTFOUND", err)
	}
	if _, _, _, err := app.WalkRemote(ctx, mem, "/Photos/a.jpg", nil, false, 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("WalkRemote of a file = %v, want EINVALID", err)
	}
	if _, _, _, err := app.WalkRemote(ctx, mem, "/a/../b", nil, false, 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("WalkRemote of /a/../b = %v, want EINVALID", err)
	}

	// A folder that fails stops the walk, with nothing returned.
	st := newWalkRemote(mem)
	st.fail["/Photos/2024"] = domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered 503")
	files, folders, _, err := app.WalkRemote(ctx, st, "/Photos", nil, false, 2)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || files != nil || folders != nil {
		t.Errorf("WalkRemote with a failing folder = %d files, %d folders, %v; want nothing and EUNAVAILABLE", len(files), len(folders), err)
	}

	// A folder deleted between its parent's listing and its own is gone.
	st = newWalkRemote(mem)
	st.fail["/Photos/2023"] = domain.RemoteErrorf(domain.ENOTFOUND, "/Photos/2023 not found")
	files, folders, _, err = app.WalkRemote(ctx, st, "/Photos", nil, false, 2)
	if err != nil {
		t.Fatalf("WalkRemote with a vanished folder: %v", err)
	}
	if slices.Contains(folderPaths(folders), "/Photos/2023") || walkSizes(t, files)["/Photos/2023/b.jpg"] != 0 {
		t.Errorf("the vanished folder's files are listed: %v", folderPaths(folders))
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, _, err := app.WalkRemote(cctx, mem, "/Photos", nil, false, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("WalkRemote with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestWalkRemoteReusesOnlyWholeSubtrees: a remembered folder whose
// subfolder is missing from the memory is listed again.
func TestWalkRemoteReusesOnlyWholeSubtrees(t *testing.T) {
	_, mem := newWalkServer(t)
	_, prev, _ := mustWalk(t, mem, "/Photos", nil, false, 0)
	partial := slices.DeleteFunc(slices.Clone(prev), func(f domain.RemoteFolder) bool { return f.Path == "/Photos/2025/01/02" })
	st := newWalkRemote(mem)
	files, folders, stats := mustWalk(t, st, "/Photos", partial, true, 0)
	checkWalkFiles(t, files, walkTree)
	if got := folderPaths(folders); !slices.Equal(got, walkFolders) {
		t.Errorf("folders = %v, want %v", got, walkFolders)
	}
	// memory.Server's ETags never change, so the top folder's subtree
	// would be reused whole; with a part missing, the top and the branch
	// that lacks it are listed, the other branches reused.
	wantListed := []string{"/Photos", "/Photos/2025", "/Photos/2025/01", "/Photos/2025/01/02"}
	if got := slices.Sorted(maps.Keys(st.lists)); !slices.Equal(got, wantListed) {
		t.Errorf("listed %v, want %v", got, wantListed)
	}
	if stats.Listed != 4 || stats.Reused != len(walkFolders)-4 {
		t.Errorf("stats = %+v, want 4 listed and %d reused", stats, len(walkFolders)-4)
	}
}

// A hidden folder (the sync's .photosync-versions of replaced copies) is
// not walked: nothing in it is ever synced, and it only grows.
func TestWalkRemoteSkipsHiddenFolders(t *testing.T) {
	_, mem := newWalkServer(t)
	walkUpload(t, mem, map[string]string{
		"/Photos/a/x.jpg": "x", "/Photos/.photosync-versions/2024-01-01/a/x.jpg": "old",
	})
	files, folders, stats, err := app.WalkRemote(context.Background(), newWalkRemote(mem), "/Photos", nil, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f.Path, ".photosync-versions") {
			t.Errorf("the walk listed %s", f.Path)
		}
	}
	for _, f := range folders {
		if strings.Contains(f.Path, ".photosync-versions") {
			t.Errorf("the walk listed the folder %s", f.Path)
		}
	}
	if stats.Listed != len(folders) {
		t.Errorf("listed %d folders, and answered %d", stats.Listed, len(folders))
	}
}
