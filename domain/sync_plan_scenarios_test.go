package domain_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// settledWorld is a two-way world after its first runs.
func settledWorld(t *testing.T, mods ...func(*domain.SyncSettings)) *syncWorld {
	t.Helper()
	w := newWorld(t, syncSettings(), worldRemote, worldLocal)
	w.settle(3)
	for _, m := range mods {
		m(&w.s)
	}
	return w
}

// expectRun runs once and compares the plan, then checks the next run is empty.
func expectRun(t *testing.T, w *syncWorld, want ...string) {
	t.Helper()
	if got := showPlan(w.run(true)); !slices.Equal(got, want) {
		t.Fatalf("plan\n got: %q\nwant: %q", got, want)
	}
	if got := showPlan(w.run(true)); len(got) != 0 {
		t.Fatalf("the run after is not empty: %q", got)
	}
}

func expectData(t *testing.T, files map[string]simFile, p, want string) {
	t.Helper()
	if f, ok := files[p]; !ok || f.data != want {
		t.Errorf("%s holds %q (present %v), want %q", p, f.data, ok, want)
	}
}

const (
	downR = "/Photos/2020/IMG_1.JPG" // came down ...
	downL = "nextcloud/2020/IMG_1.JPG"
	upL   = "trip/DSC_2.JPG" // ... and went up
	upR   = "/Photos/trip/DSC_2.JPG"
)

func TestSyncRunsChanges(t *testing.T) {
	later := syncNow.Add(24 * time.Hour)
	t.Run("a remote change comes down, a library change goes up", func(t *testing.T) {
		w := settledWorld(t)
		w.remote[downR] = simFile{"jpeg-1 edited", later}
		w.local[upL] = simFile{"jpeg-2 edited", later}
		expectRun(t, w, "update_local "+downR+" -> "+downL, "upload_again "+upL+" -> "+upR)
		expectData(t, w.local, downL, "jpeg-1 edited")
		expectData(t, w.remote, upR, "jpeg-2 edited")
	})
	tests := []struct {
		name         string
		mod          func(*domain.SyncSettings)
		want         string
		local, other map[string]string // what each side holds after
	}{
		{
			name:  "both changed, two-way: the remote version is kept beside in the library",
			mod:   func(*domain.SyncSettings) {},
			want:  "keep_both " + upR + " -> trip/DSC_2 (conflict 2024-06-01 140000).JPG, " + upL + " -> " + upR,
			local: map[string]string{upL: "mine", "trip/DSC_2 (conflict 2024-06-01 140000).JPG": "theirs"},
			other: map[string]string{upR: "mine"},
		},
		{
			name:  "both changed, download only: the remote version comes down beside",
			mod:   downOnly,
			want:  "download " + upR + " -> trip/DSC_2 (conflict 2024-06-01 140000).JPG (changed on both sides: the server's version is saved beside the library's)",
			local: map[string]string{upL: "mine", "trip/DSC_2 (conflict 2024-06-01 140000).JPG": "theirs"},
			other: map[string]string{upR: "theirs"},
		},
		{
			name:  "both changed, upload only: the library version goes up beside",
			mod:   upOnly,
			local: map[string]string{upL: "mine"},
			other: map[string]string{upR: "theirs", "/Photos/trip/DSC_2 (conflict 2024-06-01 140000).JPG": "mine"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := settledWorld(t, tt.mod)
			w.remote[upR] = simFile{"theirs", later}
			w.local[upL] = simFile{"mine", later}
			plan := w.run(true)
			if tt.want != "" && (len(plan.Actions) != 1 || showAction(plan.Actions[0]) != tt.want) {
				t.Errorf("plan %q, want %q", showPlan(plan), tt.want)
			}
			for run := range 2 {
				if got := showPlan(w.run(true)); len(got) != 0 {
					t.Fatalf("run %d after the conflict is not empty: %q", run+2, got)
				}
			}
			for p, d := range tt.local {
				expectData(t, w.local, p, d)
			}
			for p, d := range tt.other {
				expectData(t, w.remote, p, d)
			}
		})
	}
}

func TestSyncRunsDeletions(t *testing.T) {
	t.Run("deleted in the library: remembered, not downloaded again until restored", func(t *testing.T) {
		w := settledWorld(t)
		w.deleteLocal(downL)
		expectRun(t, w, "remember_deletion down "+downR)
		w.remote[downR] = simFile{"jpeg-1 edited", syncNow.Add(48 * time.Hour)}
		expectRun(t, w) // a remote change does not bring it back
		w.pairs[downR] = restored(w.pairs[downR])
		expectRun(t, w, "download "+downR+" -> "+downL+" (restored)")
		expectData(t, w.local, downL, "jpeg-1 edited")
	})
	t.Run("deleted on the server: remembered, not uploaded again until restored", func(t *testing.T) {
		w := settledWorld(t)
		delete(w.remote, upR)
		expectRun(t, w, "remember_deletion up "+upR)
		w.local[upL] = simFile{"jpeg-2 edited", syncNow.Add(48 * time.Hour)}
		expectRun(t, w) // a library change does not send it again
		w.pairs[upR] = restored(w.pairs[upR])
		expectRun(t, w, "upload "+upL+" -> "+upR+" (restored)")
		expectData(t, w.remote, upR, "jpeg-2 edited")
	})
	t.Run("a file that came down and is deleted on the server stays in the library", func(t *testing.T) {
		w := settledWorld(t)
		delete(w.remote, downR)
		expectRun(t, w, "remember_deletion up "+downR)
		expectData(t, w.local, downL, "jpeg-1")
	})
	t.Run("gone on both sides: forgotten; a new file at that path is new", func(t *testing.T) {
		w := settledWorld(t)
		delete(w.remote, downR)
		w.deleteLocal(downL)
		expectRun(t, w, "forget "+downR+" (gone on both sides)")
		w.remote[downR] = simFile{"new", syncNow.Add(48 * time.Hour)}
		expectRun(t, w, "download "+downR+" -> "+downL)
	})
	t.Run("a library that looks empty (a disk not mounted) heals when it is back", func(t *testing.T) {
		w := settledWorld(t)
		saved := w.local
		w.local = map[string]simFile{}
		for _, a := range w.run(true).Actions {
			if a.Op != domain.OpRememberDeletion || a.Direction != domain.SyncDown {
				t.Errorf("with the library away: %s", showAction(a))
			}
		}
		w.local, w.missing = saved, map[string]bool{}
		if got := showPlan(w.run(true)); len(got) != 0 {
			t.Errorf("with the library back: %q", got)
		}
		w.local[downL] = simFile{"jpeg-1 edited", syncNow.Add(48 * time.Hour)}
		expectRun(t, w, "upload_again "+downL+" -> "+downR)
	})
}

func TestSyncRunsKilled(t *testing.T) {
	for _, checksums := range []bool{false, true} {
		w := newWorld(t, syncSettings(), worldRemote, worldLocal)
		w.checksums = checksums
		first := w.run(false) // every file moved, no pair recorded
		if len(first.Actions) == 0 {
			t.Fatal("the first run planned nothing")
		}
		for _, a := range w.run(true).Actions {
			if a.Op != domain.OpLink {
				t.Errorf("checksums %v: after a killed run: %s, want only links", checksums, showAction(a))
			}
		}
		if got := showPlan(w.run(true)); len(got) != 0 {
			t.Errorf("checksums %v: third run: %q", checksums, got)
		}
	}
}

func TestPlanSyncDeterministic(t *testing.T) {
	w := settledWorld(t)
	w.remote[downR] = simFile{"changed", syncNow.Add(time.Hour)}
	w.local[upL] = simFile{"changed too", syncNow.Add(time.Hour)}
	w.deleteLocal("nextcloud/2020/IMG_1.xmp")
	delete(w.remote, "/Photos/trip/live.MOV")
	for p, d := range map[string]string{
		"/Photos/new/a.jpg": "A", "/Photos/new/A.JPG": "AA", "/Photos/x/../../evil.jpg": "E", "/Photos/b.jpg": "B",
	} {
		w.remote[p] = simFile{d, syncT0}
	}
	for p, d := range map[string]string{"b.jpg": "other B", "nextcloud/new/a.jpg": "taken", "c.jpg": "C", "c.xmp": "CX"} {
		w.local[p] = simFile{d, syncT0}
	}
	in := w.input()
	in.Failures = []domain.SyncFailure{
		{Direction: domain.SyncUp, LocalPath: "c.jpg", Failed: true, Attempts: 5, LastError: "no"},
		{Direction: domain.SyncDown, RemotePath: "/Photos/b.jpg", NextAttemptAt: syncNow.Add(time.Hour)},
	}
	want := domain.PlanSync(in)
	if len(want.Actions) < 10 {
		t.Fatalf("the plan is too small to tell: %q", showPlan(want))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		rng.Shuffle(len(in.Remote), func(a, b int) { in.Remote[a], in.Remote[b] = in.Remote[b], in.Remote[a] })
		rng.Shuffle(len(in.Local), func(a, b int) { in.Local[a], in.Local[b] = in.Local[b], in.Local[a] })
		rng.Shuffle(len(in.Pairs), func(a, b int) { in.Pairs[a], in.Pairs[b] = in.Pairs[b], in.Pairs[a] })
		rng.Shuffle(len(in.Failures), func(a, b int) { in.Failures[a], in.Failures[b] = in.Failures[b], in.Failures[a] })
		if got := domain.PlanSync(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d:\n got: %q\nwant: %q", i, showPlan(got), showPlan(want))
		}
	}
}
