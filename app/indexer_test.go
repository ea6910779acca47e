package app_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestIndexStacksAndReportsProblems(t *testing.T) {
	w := newIndexWorld(t)
	w.sample()
	res, p := w.index(t)

	want := []string{
		"IMG_4120: IMG_4120.JPG=primary IMG_E4120.JPG=edited",
		"canon_eos_6d: canon_eos_6d.dng=primary canon_eos_6d.xmp=sidecar",
		"christmas: christmas.mp4=primary",
		"iphone_7: iphone_7.heic=primary iphone_7.xmp=sidecar",
		"telegram_2020-01-30_09-57-18: telegram_2020-01-30_09-57-18.jpg=primary",
	}
	if got := ixSummary(t, w.store); !slices.Equal(got, want) {
		t.Errorf("photos:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Files != 12 || res.Read != 11 || res.Photos != 5 || res.Missing != 0 {
		t.Errorf("result: %d files, %d read, %d photos, %d missing; want 12, 11, 5, 0", res.Files, res.Read, res.Photos, res.Missing)
	}
	problems := map[string]string{}
	for _, f := range res.Problems {
		problems[f.Path] = f.Problem
		if f.ID == 0 {
			t.Errorf("problem file %s has no ID", f.Path)
		}
	}
	wantProblems := map[string]string{
		"broken-animated-earth.jpg": domain.ProblemCorrupt + ": unexpected EOF",
		"empty.jpg":                 domain.ProblemEmpty,
		"locked.jpg":                domain.ProblemUnreadable + ": permission denied",
		"lost.xmp":                  domain.ProblemOrphan,
	}
	if !maps.Equal(problems, wantProblems) {
		t.Errorf("problems %q, want %q", problems, wantProblems)
	}
	stored, err := w.indexer.Problems(context.Background())
	if err != nil || len(stored) != 4 {
		t.Errorf("Indexer.Problems: %d files, %v; want 4", len(stored), err)
	}
	if n := w.lib.opens["empty.jpg"]; n != 0 {
		t.Errorf("empty.jpg was opened %d times; an empty file is not read", n)
	}

	// Dates: EXIF, the name, the modification time.
	files, _ := w.store.LibraryFiles(context.Background())
	dates := map[string]string{}
	for _, f := range files {
		dates[f.Path] = f.TakenAt.Format(time.DateTime) + " " + string(f.TakenSource)
	}
	for path, want := range map[string]string{
		"IMG_4120.JPG":                     "2019-06-14 10:41:33 exif",
		"telegram_2020-01-30_09-57-18.jpg": "2020-01-30 09:57:18 name",
		"christmas.mp4":                    "2024-05-01 12:00:00 mtime",
	} {
		if dates[path] != want {
			t.Errorf("%s taken %s, want %s", path, dates[path], want)
		}
	}
	photos, _, _ := w.store.Photos(context.Background(), domain.PhotoQuery{Text: "IMG_4120"})
	if len(photos) != 1 || !photos[0].TakenAt.Equal(time.Date(2019, 6, 14, 10, 41, 33, 0, time.UTC)) {
		t.Errorf("IMG_4120's photo: %+v", photos)
	}

	job := p.Snapshot()
	if job.FilesTotal != 12 || job.FilesDone != 12 || job.Failed != 3 || job.Skipped != 0 {
		t.Errorf("progress: %d/%d files, %d failed, %d skipped; want 12/12, 3 failed (empty, corrupt, unreadable), 0 skipped",
			job.FilesDone, job.FilesTotal, job.Failed, job.Skipped)
	}
	var wantBytes int64
	for path, f := range w.lib.files {
		if path != "empty.jpg" {
			wantBytes += int64(len(f.data))
		}
	}
	if job.BytesTotal != wantBytes || job.BytesDone != wantBytes {
		t.Errorf("progress: %d/%d bytes, want %d", job.BytesDone, job.BytesTotal, wantBytes)
	}
	if len(job.Errors) != 3 || !slices.ContainsFunc(job.Errors, func(e domain.JobError) bool {
		return e.Path == "locked.jpg" && e.Message == domain.ProblemUnreadable+": permission denied"
	}) {
		t.Errorf("job errors %+v", job.Errors)
	}
}

func TestReindexReadsNothingUnchanged(t *testing.T) {
	w := newIndexWorld(t)
	w.sample()
	w.index(t)
	before, _ := w.store.LibraryFiles(context.Background())
	calls, opens, saves := w.insp.callCount(), w.lib.openCount(), w.store.saves

	res, p := w.index(t)
	if got := w.insp.callCount() - calls; got != 0 {
		t.Errorf("re-index inspected %d files, want 0", got)
	}
	// Only the unreadable file is tried again.
	if got := w.lib.openCount() - opens; got != 1 || w.lib.opens["locked.jpg"] != 2 {
		t.Errorf("re-index opened %d files (locked.jpg %d times), want only locked.jpg again", got, w.lib.opens["locked.jpg"])
	}
	if w.store.saves != saves {
		t.Errorf("re-index of an unchanged library saved the index")
	}
	if res.Read != 1 || res.Photos != 5 || len(res.Problems) != 4 {
		t.Errorf("re-index result: %d read, %d photos, %d problems", res.Read, res.Photos, len(res.Problems))
	}
	if job := p.Snapshot(); job.Skipped != 11 || job.Failed != 1 || job.FilesDone != 12 || job.Errors[0].Path != "locked.jpg" {
		t.Errorf("re-index progress: %d skipped, %d failed (%+v), %d done; want 11, 1 (locked.jpg, still unreadable), 12",
			job.Skipped, job.Failed, job.Errors, job.FilesDone)
	}
	after, _ := w.store.LibraryFiles(context.Background())
	if !slices.EqualFunc(before, after, func(a, b domain.LibraryFile) bool { return a.ID == b.ID && a.SHA1 == b.SHA1 }) {
		t.Error("re-index changed IDs or checksums")
	}
}

func TestReindexSavesOnlyWhatChanged(t *testing.T) {
	w := newIndexWorld(t)
	w.sample()
	w.index(t)
	before := ixSummary(t, w.store)
	ids := map[string]int64{}
	files, _ := w.store.LibraryFiles(context.Background())
	for _, f := range files {
		ids[f.Path] = f.ID
	}

	// A new photo, and a sidecar that joins a photo already indexed.
	w.lib.put("new.jpg", "EXIF 2021-01-01T00:00:00Z; new", ixModTime)
	w.lib.put("IMG_4120.xmp", "<xmp/>", ixModTime)
	res, _ := w.index(t)
	if want := []string{"IMG_4120.JPG", "IMG_4120.xmp", "IMG_E4120.JPG", "new.jpg"}; !slices.Equal(w.store.lastSaved, want) {
		t.Errorf("SaveIndex was given %v; want only the photos that changed: %v", w.store.lastSaved, want)
	}
	if res.Photos != 6 {
		t.Errorf("%d photos, want 6", res.Photos)
	}
	want := append(slices.Clone(before), "new: new.jpg=primary")
	want[0] = "IMG_4120: IMG_4120.JPG=primary IMG_E4120.JPG=edited IMG_4120.xmp=sidecar"
	slices.Sort(want)
	got := ixSummary(t, w.store)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("photos:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	files, _ = w.store.LibraryFiles(context.Background())
	for _, f := range files {
		if id, ok := ids[f.Path]; ok && id != f.ID {
			t.Errorf("%s: ID %d became %d", f.Path, id, f.ID)
		}
	}
}

func TestReindexChanges(t *testing.T) {
	ctx := context.Background()
	w := newIndexWorld(t)
	w.sample()
	w.index(t)
	old, _ := w.store.LibraryFiles(ctx)
	ids := map[string]int64{}
	sums := map[string]string{}
	for _, f := range old {
		ids[f.Path], sums[f.Path] = f.ID, f.SHA1
	}
	calls := w.insp.callCount()

	// A changed file, a deleted photo, a photo for the orphan, a sidecar
	// that lost its photo, an empty file filled.
	w.clock.Advance(time.Hour)
	w.lib.put("IMG_4120.JPG", "EXIF 2019-06-14T10:41:33Z; retouched", ixModTime.Add(time.Minute))
	w.lib.remove("christmas.mp4")
	w.lib.put("lost.jpg", "found", ixModTime)
	w.lib.remove("iphone_7.heic")
	w.lib.put("empty.jpg", "now with content", ixModTime.Add(time.Minute))
	res, _ := w.index(t)

	if got := w.insp.callCount() - calls; got != 3 || res.Read != 4 {
		t.Errorf("inspected %d files (read %d), want the 3 changed or new ones (and the unreadable one tried)", got, res.Read)
	}
	files, _ := w.store.LibraryFiles(ctx)
	byPath := map[string]domain.LibraryFile{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	if f := byPath["IMG_4120.JPG"]; f.ID != ids["IMG_4120.JPG"] || f.SHA1 == sums["IMG_4120.JPG"] || f.SHA1 == "" {
		t.Errorf("changed IMG_4120.JPG: ID %d (was %d), SHA-1 %s (was %s)", f.ID, ids["IMG_4120.JPG"], f.SHA1, sums["IMG_4120.JPG"])
	}
	if f := byPath["christmas.mp4"]; !f.Missing || f.ID != ids["christmas.mp4"] {
		t.Errorf("deleted christmas.mp4: %+v", f)
	}
	if res.Missing != 2 {
		t.Errorf("result: %d missing, want 2", res.Missing)
	}
	if f := byPath["empty.jpg"]; f.Problem != "" || f.PhotoID == 0 {
		t.Errorf("filled empty.jpg: problem %q, photo %d", f.Problem, f.PhotoID)
	}
	want := []string{
		"IMG_4120: IMG_4120.JPG=primary IMG_E4120.JPG=edited",
		"canon_eos_6d: canon_eos_6d.dng=primary canon_eos_6d.xmp=sidecar",
		"empty: empty.jpg=primary",
		"lost: lost.jpg=primary lost.xmp=sidecar",
		"telegram_2020-01-30_09-57-18: telegram_2020-01-30_09-57-18.jpg=primary",
	}
	if got := ixSummary(t, w.store); !slices.Equal(got, want) {
		t.Errorf("photos:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var problems []string
	for _, f := range res.Problems {
		problems = append(problems, f.Path)
	}
	if want := []string{"broken-animated-earth.jpg", "iphone_7.xmp", "locked.jpg"}; !slices.Equal(problems, want) {
		t.Errorf("problems %q, want %q", problems, want)
	}

	// christmas.mp4 comes back: it is read again and keeps its ID.
	w.lib.put("christmas.mp4", "video", ixModTime)
	res, _ = w.index(t)
	files, _ = w.store.LibraryFiles(ctx)
	for _, f := range files {
		if f.Path == "christmas.mp4" && (f.Missing || f.ID != ids["christmas.mp4"] || f.PhotoID == 0) {
			t.Errorf("christmas.mp4 back: %+v", f)
		}
	}
	if res.Missing != 1 { // iphone_7.heic
		t.Errorf("after christmas.mp4 came back: %d missing, want 1", res.Missing)
	}
}

func TestIndexReadsInParallelWithinBounds(t *testing.T) {
	w := newIndexWorld(t)
	for i := range 20 {
		w.lib.put(strings.Repeat("x", i+1)+".jpg", "data", ixModTime)
	}
	// The first two reads wait for each other: the index must read at least
	// two files at once to get past them.
	arrived := make(chan struct{}, 2)
	w.insp.gate = func(ctx context.Context) {
		select {
		case arrived <- struct{}{}:
		default:
			return
		}
		deadline := time.After(10 * time.Second)
		for len(arrived) < 2 {
			select {
			case <-deadline:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}
	w.index(t)
	if w.insp.maxActive < 2 || w.insp.maxActive > 4 {
		t.Errorf("%d files read at once, want 2 to 4", w.insp.maxActive)
	}
}

func TestIndexCancelledSavesNothing(t *testing.T) {
	w := newIndexWorld(t)
	w.sample()
	ctx, cancel := context.WithCancel(context.Background())
	w.insp.gate = func(context.Context) { cancel() }
	_, err := w.indexer.Index(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Index cancelled: %v, want context.Canceled", err)
	}
	if w.store.saves != 0 {
		t.Error("a cancelled index saved")
	}
	if n := w.insp.callCount(); n > 4 {
		t.Errorf("%d files inspected after the cancel, want at most one per worker", n)
	}
}

func TestIndexOneAtATime(t *testing.T) {
	w := newIndexWorld(t)
	w.lib.put("a.jpg", "data", ixModTime)
	entered, release := make(chan struct{}), make(chan struct{})
	w.insp.gate = func(context.Context) {
		close(entered)
		<-release
	}
	first := make(chan error, 1)
	go func() {
		_, err := w.indexer.Index(context.Background(), nil)
		first <- err
	}()
	<-entered

	walked := make(chan struct{}, 1)
	w.lib.mu.Lock()
	w.lib.onWalk = func() { walked <- struct{}{} }
	w.lib.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := w.indexer.Index(ctx, nil)
		second <- err
	}()
	// Waiting for something that must not happen: the second index must
	// not walk while the first runs.
	select {
	case <-walked:
		t.Fatal("a second index walked the library while the first was running")
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting index cancelled: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first index: %v", err)
	}
	w.insp.gate = nil
	if _, err := w.indexer.Index(context.Background(), nil); err != nil {
		t.Fatalf("index after the first ended: %v", err)
	}
	select {
	case <-walked:
	default:
		t.Error("the index after the first did not walk")
	}
}
