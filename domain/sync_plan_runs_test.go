package domain_test

import (
	"maps"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// syncWorld is a library and a server that plans are carried out on, the
// way a successful executor would, so that runs can follow each other.
type syncWorld struct {
	t         *testing.T
	s         domain.SyncSettings
	now       time.Time
	checksums bool // the server reports SHA-1 checksums, as Nextcloud does
	remote    map[string]simFile
	local     map[string]simFile
	missing   map[string]bool // library paths the index knows as gone
	pairs     map[string]domain.SyncPair
	cameDown  map[string]bool // library paths written from the server
	wentUp    map[string]bool // remote paths written from the library
}

type simFile struct {
	data  string
	mtime time.Time
}

func newWorld(t *testing.T, s domain.SyncSettings, remote, local map[string]string) *syncWorld {
	t.Helper()
	w := &syncWorld{t: t, s: s, now: syncNow, remote: map[string]simFile{}, local: map[string]simFile{},
		missing: map[string]bool{}, pairs: map[string]domain.SyncPair{}, cameDown: map[string]bool{}, wentUp: map[string]bool{}}
	for p, d := range remote {
		w.remote[p] = simFile{d, syncT0}
	}
	for p, d := range local {
		w.local[p] = simFile{d, syncT0.Add(time.Minute)}
	}
	return w
}

func (w *syncWorld) input() domain.SyncInput {
	in := domain.SyncInput{Settings: w.s, Now: w.now}
	for p, f := range w.remote {
		r := domain.RemoteFile{Path: p, Name: path.Base(p), Size: int64(len(f.data)), ModTime: f.mtime, ETag: etagOf(f.data)}
		if w.checksums || w.evidence(p, len(f.data)) {
			r.Checksum = domain.SHA1Checksum(digest(f.data))
		}
		in.Remote = append(in.Remote, r)
	}
	for p, f := range w.local {
		in.Local = append(in.Local, domain.LibraryFile{Path: p, Kind: domain.KindOf(p), Size: int64(len(f.data)), ModTime: f.mtime, SHA1: digest(f.data)})
	}
	for p := range w.missing {
		in.Local = append(in.Local, domain.LibraryFile{Path: p, Kind: domain.KindOf(p), Missing: true})
	}
	in.Pairs = slices.Collect(maps.Values(w.pairs))
	return in
}

// evidence reports whether the app, before planning, reads the unpaired
// remote file at p to hash it (as Syncer.recoverUnrecorded does on a
// server without checksums): when a library file of the same size waits
// at the path the planner would link it with.
func (w *syncWorld) evidence(p string, size int) bool {
	for _, pr := range w.pairs {
		if pr.RemotePath == p {
			return false
		}
	}
	var cands []string
	if rel, ok := strings.CutPrefix(p, strings.TrimSuffix(w.s.Folder, "/")+"/"); ok {
		cands = append(cands, rel)
	}
	if w.s.PreserveNames {
		if lp, err := domain.DownloadPath(w.s, p); err == nil {
			cands = append(cands, lp)
		}
	}
	for _, lp := range cands {
		if l, ok := w.local[lp]; ok && len(l.data) == size {
			return true
		}
	}
	return false
}

// run plans, carries the plan out and returns it; with record false the
// files move but no pair is recorded, as when a run is killed.
func (w *syncWorld) run(record bool) domain.SyncPlan {
	w.t.Helper()
	plan := domain.PlanSync(w.input())
	for _, a := range plan.Actions {
		w.checkNoBounce(a)
		w.apply(a, record)
	}
	w.now = w.now.Add(time.Hour)
	return plan
}

// checkNoBounce fails on a new file sent back where it came from. Restores
// and conflicts, which say why, are not new files.
func (w *syncWorld) checkNoBounce(a domain.SyncAction) {
	w.t.Helper()
	if a.Op == domain.OpUpload && w.cameDown[a.LocalPath] && a.Reason == "" {
		w.t.Errorf("bounce: %s came down and is uploaded to %s", a.LocalPath, a.RemotePath)
	}
	if a.Op == domain.OpDownload && w.wentUp[a.RemotePath] && a.Reason == "" {
		w.t.Errorf("bounce: %s went up and is downloaded to %s", a.RemotePath, a.LocalPath)
	}
}

func (w *syncWorld) apply(a domain.SyncAction, record bool) {
	w.t.Helper()
	rp, lp := a.RemotePath, a.LocalPath
	rf, rOK := w.remote[rp]
	lf, lOK := w.local[lp]
	needRemote := func() {
		if !rOK || a.Remote.Path != rp || a.Op != domain.OpLink && a.Size < a.Remote.Size {
			w.t.Fatalf("%s: no remote file %s, or the action does not carry it (%+v)", showAction(a), rp, a.Remote)
		}
	}
	needLocal := func() {
		if !lOK || a.Local.Path != lp {
			w.t.Fatalf("%s: no library file %s, or the action does not carry it (%+v)", showAction(a), lp, a.Local)
		}
	}
	switch a.Op {
	case domain.OpDownload:
		needRemote()
		if lp == "" {
			lp = w.s.DownloadFolder + "/" + domain.NormalizedName(rf.mtime, digest(rf.data), path.Ext(rp))
		}
		w.write(lp, rf, false)
		w.record(record, rp, lp, rf)
	case domain.OpUpload:
		needLocal()
		w.send(rp, lf, false)
		w.record(record, rp, lp, lf)
	case domain.OpUpdateLocal:
		needRemote()
		w.write(lp, rf, true)
		w.record(record, rp, lp, rf)
	case domain.OpUploadAgain:
		needLocal()
		w.send(rp, lf, true)
		w.record(record, rp, lp, lf)
	case domain.OpKeepBoth:
		needRemote()
		needLocal()
		w.write(a.ConflictPath, rf, false)
		w.send(rp, lf, true)
		w.record(record, rp, lp, lf)
	case domain.OpLink:
		needRemote()
		needLocal()
		if rf.data != lf.data {
			w.t.Errorf("%s: links %q and %q", showAction(a), rf.data, lf.data)
		}
		w.record(true, rp, lp, lf)
	case domain.OpRememberDeletion:
		p := w.pairs[rp]
		p.LocalDeleted = p.LocalDeleted || a.Direction == domain.SyncDown
		p.RemoteDeleted = p.RemoteDeleted || a.Direction == domain.SyncUp
		w.pairs[rp] = p
	case domain.OpForget:
		delete(w.pairs, rp)
	case domain.OpSkip:
	default:
		w.t.Fatalf("unknown op %q", a.Op)
	}
}

func (w *syncWorld) write(lp string, f simFile, replace bool) {
	if _, ok := w.local[lp]; ok != replace {
		w.t.Errorf("writing %s: present %v, replacing %v", lp, ok, replace)
	}
	w.local[lp] = f // the executor sets the remote modification time
	delete(w.missing, lp)
	w.cameDown[lp] = true
}

func (w *syncWorld) send(rp string, f simFile, replace bool) {
	if _, ok := w.remote[rp]; ok != replace {
		w.t.Errorf("sending %s: present %v, replacing %v", rp, ok, replace)
	}
	w.remote[rp] = f // the server keeps the modification time sent with X-OC-Mtime
	w.wentUp[rp] = true
}

func (w *syncWorld) record(record bool, rp, lp string, f simFile) {
	if record {
		w.pairs[rp] = domain.SyncPair{AccountID: w.s.AccountID, LocalPath: lp, RemotePath: rp, Size: int64(len(f.data)),
			LocalModTime: f.mtime, RemoteModTime: f.mtime, ETag: etagOf(f.data), SHA1: digest(f.data), SyncedAt: w.now}
	}
}

func (w *syncWorld) deleteLocal(lp string) {
	delete(w.local, lp)
	w.missing[lp] = true
}

// settle runs until a plan is empty and fails when that takes more than
// the runs given.
func (w *syncWorld) settle(runs int) {
	w.t.Helper()
	for range runs {
		if plan := w.run(true); len(plan.Actions) == 0 {
			return
		}
	}
	w.t.Fatalf("not settled after %d runs: %q", runs, showPlan(domain.PlanSync(w.input())))
}

// worldRemote and worldLocal are the trees the run tests start from.
var (
	worldRemote = map[string]string{
		"/Photos/2020/IMG_1.JPG": "jpeg-1", "/Photos/2020/IMG_1.xmp": "xmp-1", "/Photos/2020/IMG_1.CR2": "raw-1",
		"/Photos/2020/clip.mp4": "video-1", "/Photos/.trash/old.jpg": "trash", "/Photos/notes.txt": "notes",
		"/Photos/2020/IMG_1.JPG.part": "partial",
	}
	worldLocal = map[string]string{
		"trip/DSC_2.JPG": "jpeg-2", "trip/DSC_2.NEF": "raw-2", "trip/DSC_2.NEF.xmp": "xmp-2",
		"trip/live.MOV": "video-2", ".cache/x.jpg": "cache", "trip/lonely.xmp": "xmp-3",
	}
)

func TestSyncRunsSettle(t *testing.T) {
	norm := func(rp, data string) string {
		return "nextcloud/" + domain.NormalizedName(syncT0, digest(data), path.Ext(rp))
	}
	allDown := []string{
		"/Photos/2020/IMG_1.CR2 -> nextcloud/2020/IMG_1.CR2", "/Photos/2020/IMG_1.JPG -> nextcloud/2020/IMG_1.JPG",
		"/Photos/2020/IMG_1.xmp -> nextcloud/2020/IMG_1.xmp", "/Photos/2020/clip.mp4 -> nextcloud/2020/clip.mp4",
	}
	allUp := []string{
		"trip/DSC_2.JPG -> /Photos/trip/DSC_2.JPG", "trip/DSC_2.NEF -> /Photos/trip/DSC_2.NEF",
		"trip/DSC_2.NEF.xmp -> /Photos/trip/DSC_2.NEF.xmp", "trip/live.MOV -> /Photos/trip/live.MOV",
	}
	tests := []struct {
		name      string
		mods      []func(*domain.SyncSettings)
		checksums bool
		down, up  []string // after run 1: remote path -> library path, library path -> remote path
	}{
		{name: "two-way, names preserved", down: allDown, up: allUp},
		{name: "two-way, names preserved, server with checksums", checksums: true, down: allDown, up: allUp},
		{name: "download only", mods: []func(*domain.SyncSettings){downOnly}, down: allDown},
		{name: "upload only", mods: []func(*domain.SyncSettings){upOnly}, up: allUp},
		{
			name: "two-way, names normalised", mods: []func(*domain.SyncSettings){normalised}, up: allUp,
			down: []string{
				"/Photos/2020/IMG_1.CR2 -> " + norm(".CR2", "raw-1"), "/Photos/2020/IMG_1.JPG -> " + norm(".JPG", "jpeg-1"),
				"/Photos/2020/IMG_1.xmp -> " + norm(".xmp", "xmp-1"), "/Photos/2020/clip.mp4 -> " + norm(".mp4", "video-1"),
			},
		},
		{
			name: "two-way, RAW off", mods: []func(*domain.SyncSettings){noRaw},
			down: []string{allDown[1], allDown[2], allDown[3]}, up: []string{allUp[0], allUp[2], allUp[3]},
		},
		{
			name: "two-way, video off", mods: []func(*domain.SyncSettings){noVideo},
			down: allDown[:3], up: allUp[:3],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, syncSettings(tt.mods...), worldRemote, worldLocal)
			w.checksums = tt.checksums
			var down, up []string
			for _, a := range w.run(true).Actions {
				switch a.Op {
				case domain.OpDownload:
					down = append(down, a.RemotePath+" -> "+a.LocalPath)
				case domain.OpUpload:
					up = append(up, a.LocalPath+" -> "+a.RemotePath)
				default:
					t.Errorf("first run: unexpected %s", showAction(a))
				}
			}
			// Normalised downloads are named by the executor: check where they went.
			if !w.s.PreserveNames {
				down = down[:0]
				for _, rp := range slices.Sorted(maps.Keys(w.pairs)) {
					if p := w.pairs[rp]; strings.HasPrefix(p.LocalPath, "nextcloud/") {
						down = append(down, rp+" -> "+p.LocalPath)
					}
				}
			}
			if !slices.Equal(down, tt.down) || !slices.Equal(up, tt.up) {
				t.Errorf("first run\n down: %q\n want: %q\n   up: %q\n want: %q", down, tt.down, up, tt.up)
			}
			for run := 2; run <= 3; run++ {
				if plan := w.run(true); len(plan.Actions) != 0 {
					t.Errorf("run %d is not empty: %q", run, showPlan(plan))
				}
			}
		})
	}
}
