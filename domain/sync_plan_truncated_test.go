package domain_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/photosync/photosync/domain"
)

// TestPlanSyncTruncated: a remote file the app found to hold the start of
// the library file that uploads to its path is replaced by that upload,
// marked so that the executor removes it first, and never downloaded.
// Evidence that does not fit (the remote file is paired, not shorter, not
// at the file's upload path, or uploads are off) is left aside: the files
// are planned as listed.
func TestPlanSyncTruncated(t *testing.T) {
	whole := strings.Repeat("w", 100)
	cut := whole[:40]
	rp, lp := "/Photos/trip/a.jpg", "trip/a.jpg"
	plan := func(s domain.SyncSettings, remote []domain.RemoteFile, pairs []domain.SyncPair, truncated map[string]string) domain.SyncPlan {
		return domain.PlanSync(domain.SyncInput{Settings: s, Remote: remote, Local: []domain.LibraryFile{lfile(lp, whole)},
			Pairs: pairs, Truncated: truncated, Now: syncNow})
	}

	got := plan(syncSettings(), []domain.RemoteFile{rfile(rp, cut)}, nil, map[string]string{rp: lp})
	if len(got.Actions) != 1 {
		t.Fatalf("plan %v; want one upload over the truncated copy", showPlan(got))
	}
	a := got.Actions[0]
	if a.Op != domain.OpUpload || a.LocalPath != lp || a.RemotePath != rp || !a.Truncated || a.Remote != rfile(rp, cut) || a.Size != 100 {
		t.Errorf("action %+v; want the upload of %s over the truncated %s, marked, with the listed copy", a, lp, rp)
	}
	if again := plan(syncSettings(), []domain.RemoteFile{rfile(rp, cut)}, nil, map[string]string{rp: lp}); !slices.Equal(showPlan(again), showPlan(got)) {
		t.Errorf("the same input planned %v, then %v", showPlan(got), showPlan(again))
	}

	// Without the evidence, the copy is downloaded and the file sent beside it.
	without := showPlan(plan(syncSettings(), []domain.RemoteFile{rfile(rp, cut)}, nil, nil))
	want := []string{"download /Photos/trip/a.jpg -> nextcloud/trip/a.jpg", "upload trip/a.jpg -> /Photos/trip/a (1).jpg"}
	if !slices.Equal(without, want) {
		t.Errorf("without evidence: %v; want %v", without, want)
	}

	for name, c := range map[string]struct {
		s      domain.SyncSettings
		remote domain.RemoteFile
		pairs  []domain.SyncPair
		lp     string
	}{
		"not shorter":      {syncSettings(), rfile(rp, whole+"!"), nil, lp},
		"another file":     {syncSettings(), rfile(rp, cut), nil, "trip/b.jpg"},
		"paired":           {syncSettings(), rfile(rp, cut), []domain.SyncPair{spair(rp, "x/a.jpg", cut)}, lp},
		"uploads off":      {syncSettings(downOnly), rfile(rp, cut), nil, lp},
		"not its location": {syncSettings(), rfile("/Photos/other/a.jpg", cut), nil, lp},
	} {
		got := plan(c.s, []domain.RemoteFile{c.remote}, c.pairs, map[string]string{c.remote.Path: c.lp})
		none := plan(c.s, []domain.RemoteFile{c.remote}, c.pairs, nil)
		if !slices.Equal(showPlan(got), showPlan(none)) {
			t.Errorf("%s: planned %v; want the plan without the evidence, %v", name, showPlan(got), showPlan(none))
		}
		for _, a := range got.Actions {
			if a.Truncated {
				t.Errorf("%s: %s is marked truncated", name, showAction(a))
			}
		}
	}
}

// TestPlanSyncUndecided: a remote file that could not be compared with
// the library file it may be a copy of waits, with that file, for a later
// run: neither is moved (no download, no "(1)" upload), the others are
// planned as usual, and the caller's input is left as it was.
func TestPlanSyncUndecided(t *testing.T) {
	data := strings.Repeat("d", 50)
	remote := []domain.RemoteFile{rfile("/Photos/a.jpg", data), rfile("/Photos/b.jpg", "b")}
	local := []domain.LibraryFile{lfile("a.jpg", data), lfile("c.jpg", "c")}
	in := domain.SyncInput{Settings: syncSettings(), Remote: remote, Local: local, Now: syncNow}
	without := showPlan(domain.PlanSync(in))
	if !slices.Contains(without, "download /Photos/a.jpg -> a (1).jpg") && !slices.Contains(without, "upload a.jpg -> /Photos/a (1).jpg") {
		t.Fatalf("without the evidence: %v; want a.jpg kept twice", without)
	}
	in.Undecided = map[string]string{"/Photos/a.jpg": "a.jpg"}
	got := showPlan(domain.PlanSync(in))
	want := []string{"download /Photos/b.jpg -> nextcloud/b.jpg", "upload c.jpg -> /Photos/c.jpg"}
	if !slices.Equal(got, want) {
		t.Errorf("plan %v; want %v", got, want)
	}
	if len(in.Remote) != 2 || in.Remote[0].Path != "/Photos/a.jpg" || len(in.Local) != 2 || in.Local[0].Path != "a.jpg" {
		t.Errorf("the planner changed its input: %v, %v", in.Remote, in.Local)
	}
}
