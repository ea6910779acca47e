package porttest

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SyncFixture is a new, empty SyncStore with the accounts its rows may
// name (a store with foreign keys needs them to exist): at least two.
type SyncFixture struct {
	Store      ports.SyncStore
	AccountIDs []int64
}

// TestSyncStore runs the SyncStore contract. newFixture is called once
// per subtest.
//
// Besides the behaviour documented on ports.SyncStore, the suite expects a
// store to keep times to the nanosecond; to return pairs by remote path,
// folders by path with their files by path, failures by remote path,
// library path and direction, and runs newest (highest ID) first, all of
// them for a limit below 1; to take a row with AccountID 0 for the
// account it is saved under; to apply removals before upserts in one
// call; to refuse with EINVALID, changing nothing, a batch with one bad
// row (a path that is not clean, a row of another account, a failure
// without a direction); and to keep the first domain.MaxJobErrors errors
// of a run.
func TestSyncStore(t *testing.T, newFixture func(t *testing.T) SyncFixture) {
	ctx := context.Background()
	setup := func(t *testing.T) (ports.SyncStore, int64, int64) {
		t.Helper()
		fx := newFixture(t)
		if len(fx.AccountIDs) < 2 {
			t.Fatalf("the fixture has %d accounts, want at least 2", len(fx.AccountIDs))
		}
		return fx.Store, fx.AccountIDs[0], fx.AccountIDs[1]
	}

	t.Run("PairsRoundTripEveryField", func(t *testing.T) {
		s, a, _ := setup(t)
		full := syncPair(a, "/Photos/2024/IMG_1.jpg")
		if zero := zeroStructFields(full); len(zero) > 0 {
			t.Fatalf("syncPair leaves %v at the zero value: give the new fields a value", zero)
		}
		sparse := domain.SyncPair{LocalPath: "b.jpg", RemotePath: "/b.jpg"}
		mustSavePairs(t, s, a, []domain.SyncPair{full, sparse}, nil)
		sparse.AccountID = a // taken for the account saved under
		checkSyncRows(t, "Pairs", mustPairs(t, s, a), []domain.SyncPair{full, sparse})
	})

	t.Run("PairsUpsertRemoveAndApart", func(t *testing.T) {
		s, a, b := setup(t)
		one, two, three := syncPair(a, "/a/1.jpg"), syncPair(a, "/a/2.jpg"), syncPair(a, "/a/3.jpg")
		other := syncPair(b, "/a/1.jpg")
		mustSavePairs(t, s, a, []domain.SyncPair{three, one, two}, nil)
		mustSavePairs(t, s, b, []domain.SyncPair{other}, nil)

		changed := two
		changed.Size, changed.ETag, changed.SHA1, changed.LocalPath = 99, `"new"`, syncSHA("new"), "moved/2.jpg"
		changed.RemoteDeleted, changed.LocalDeleted = true, false
		readded := three
		readded.Size = 3
		// Remove one and three (and a path never saved); upsert two and three
		// again: the upsert wins over the removal of the same path.
		mustSavePairs(t, s, a, []domain.SyncPair{changed, readded}, []string{one.RemotePath, three.RemotePath, "/never.jpg"})
		checkSyncRows(t, "Pairs of account a", mustPairs(t, s, a), []domain.SyncPair{changed, readded})
		checkSyncRows(t, "Pairs of account b", mustPairs(t, s, b), []domain.SyncPair{other})
	})

	t.Run("PairsInvalidChangeNothing", func(t *testing.T) {
		s, a, b := setup(t)
		kept := syncPair(a, "/kept.jpg")
		mustSavePairs(t, s, a, []domain.SyncPair{kept}, nil)
		bad := func(remote, local string, account int64) domain.SyncPair {
			p := syncPair(account, remote)
			p.LocalPath = local
			return p
		}
		for _, p := range []domain.SyncPair{
			bad("Photos/a.jpg", "a.jpg", a),
			bad("/", "a.jpg", a),
			bad("/a/../b.jpg", "a.jpg", a),
			bad("/a//b.jpg", "a.jpg", a),
			bad("/a.jpg", "", a),
			bad("/a.jpg", "/abs/a.jpg", a),
			bad("/a.jpg", "../a.jpg", a),
			bad("/a.jpg", `a\b.jpg`, a),
			bad("/a.jpg", "a.jpg", b),
		} {
			good := syncPair(a, "/good.jpg")
			err := s.SavePairs(ctx, a, []domain.SyncPair{good, p}, []string{kept.RemotePath})
			checkCode(t, fmt.Sprintf("SavePairs(%s, %q, account %d)", p.RemotePath, p.LocalPath, p.AccountID), err, domain.EINVALID)
		}
		checkSyncRows(t, "Pairs after refused batches", mustPairs(t, s, a), []domain.SyncPair{kept})
	})

	t.Run("ManyPairs", func(t *testing.T) {
		s, a, _ := setup(t)
		const n = 20000
		pairs := make([]domain.SyncPair, n)
		paths := make([]string, n)
		for i := range pairs {
			pairs[i] = syncPair(a, fmt.Sprintf("/Photos/%03d/IMG_%05d.jpg", i%500, i))
			paths[i] = pairs[i].RemotePath
		}
		start := time.Now()
		mustSavePairs(t, s, a, pairs, nil)
		if got := mustPairs(t, s, a); len(got) != n {
			t.Fatalf("Pairs returned %d pairs after saving %d", len(got), n)
		}
		mustSavePairs(t, s, a, nil, paths)
		if got := mustPairs(t, s, a); len(got) != 0 {
			t.Fatalf("Pairs returned %d pairs after removing all", len(got))
		}
		if d := time.Since(start); d > time.Minute {
			t.Errorf("saving, reading and removing %d pairs took %v", n, d)
		}
	})

	t.Run("Folders", func(t *testing.T) {
		s, a, b := setup(t)
		if got, err := s.Folders(ctx, a); err != nil || len(got) != 0 {
			t.Fatalf("Folders of a new store = %v, %v; want none", got, err)
		}
		first := []domain.RemoteFolder{
			{Path: "/Photos/2024", ETag: `"b"`, Files: []domain.RemoteFile{
				remoteEntry("/Photos/2024/IMG_2.jpg", false), remoteEntry("/Photos/2024/IMG_1.jpg", false)}},
			{Path: "/Photos", Files: []domain.RemoteFile{remoteEntry("/Photos/2024", true), remoteEntry("/Photos/a.mp4", false)}},
			{Path: "/Photos/empty", ETag: `"c"`},
		}
		mustReplaceFolders(t, s, a, first)
		mustReplaceFolders(t, s, b, first[2:])
		checkFolders(t, "Folders", mustFolders(t, s, a), first[1], first[0], first[2])

		second := []domain.RemoteFolder{{Path: "/", ETag: `"r"`, Files: []domain.RemoteFile{remoteEntry("/x.jpg", false)}}}
		mustReplaceFolders(t, s, a, second)
		checkFolders(t, "Folders after a replace", mustFolders(t, s, a), second[0])
		checkFolders(t, "Folders of the other account", mustFolders(t, s, b), first[2])

		for _, bad := range [][]domain.RemoteFolder{
			{{Path: "Photos"}},
			{{Path: "/Photos/"}},
			{{Path: "/a"}, {Path: "/a"}},
			{{Path: "/a", Files: []domain.RemoteFile{remoteEntry("/b/x.jpg", false)}}},
			{{Path: "/a", Files: []domain.RemoteFile{remoteEntry("/a/b/x.jpg", false)}}},
			{{Path: "/a", Files: []domain.RemoteFile{remoteEntry("/a/x.jpg", false), remoteEntry("/a/x.jpg", false)}}},
		} {
			checkCode(t, fmt.Sprintf("ReplaceFolders(%v)", bad), s.ReplaceFolders(ctx, a, append(slices.Clone(first), bad...)), domain.EINVALID)
		}
		checkFolders(t, "Folders after refused replaces", mustFolders(t, s, a), second[0])
		mustReplaceFolders(t, s, a, nil)
		checkFolders(t, "Folders after replacing with none", mustFolders(t, s, a))
	})

	t.Run("UpdateFolders", func(t *testing.T) {
		s, a, b := setup(t)
		year := domain.RemoteFolder{Path: "/Photos/2024", ETag: `"b"`, Files: []domain.RemoteFile{
			remoteEntry("/Photos/2024/IMG_2.jpg", false), remoteEntry("/Photos/2024/IMG_1.jpg", false)}}
		top := domain.RemoteFolder{Path: "/Photos", ETag: "photosync:etags=yes;3", Files: []domain.RemoteFile{
			remoteEntry("/Photos/2024", true), remoteEntry("/Photos/old", true)}}
		old := domain.RemoteFolder{Path: "/Photos/old", ETag: `"o"`, Files: []domain.RemoteFile{remoteEntry("/Photos/old/a.jpg", false)}}
		mustReplaceFolders(t, s, a, []domain.RemoteFolder{year, top, old})
		mustReplaceFolders(t, s, b, []domain.RemoteFolder{old})

		// One folder changed (a file more), one new, one gone; the
		// others as they were.
		year2 := year
		year2.ETag, year2.Files = `"b2"`, []domain.RemoteFile{remoteEntry("/Photos/2024/IMG_3.jpg", false)}
		fresh := domain.RemoteFolder{Path: "/Photos/2025", ETag: `"n"`}
		top2 := top
		top2.ETag = "photosync:etags=yes;4"
		retag := []domain.RemoteFolder{{Path: top.Path, ETag: top2.ETag}, {Path: "/Photos/unknown", ETag: `"u"`}}
		if err := s.UpdateFolders(ctx, a, []domain.RemoteFolder{year2, fresh}, retag, []string{"/Photos/old", "/Photos/never"}); err != nil {
			t.Fatalf("UpdateFolders: %v", err)
		}
		top = top2 // its entries kept, its ETag changed; the unknown folder passed over
		checkFolders(t, "Folders after an update", mustFolders(t, s, a), top, year2, fresh)
		checkFolders(t, "Folders of the other account", mustFolders(t, s, b), old)
		if err := s.UpdateFolders(ctx, a, nil, nil, nil); err != nil {
			t.Fatalf("UpdateFolders with nothing: %v", err)
		}
		checkFolders(t, "Folders after an empty update", mustFolders(t, s, a), top, year2, fresh)

		for name, call := range map[string]func() error{
			"unclean folder": func() error { return s.UpdateFolders(ctx, a, []domain.RemoteFolder{{Path: "Photos"}}, nil, nil) },
			"folder twice":   func() error { return s.UpdateFolders(ctx, a, []domain.RemoteFolder{fresh, fresh}, nil, nil) },
			"stray file": func() error {
				return s.UpdateFolders(ctx, a, []domain.RemoteFolder{{Path: "/a", Files: []domain.RemoteFile{remoteEntry("/b/x.jpg", false)}}}, nil, nil)
			},
			"unclean drop":     func() error { return s.UpdateFolders(ctx, a, nil, nil, []string{"/Photos/"}) },
			"kept and dropped": func() error { return s.UpdateFolders(ctx, a, []domain.RemoteFolder{fresh}, nil, []string{fresh.Path}) },
			"unclean retag":    func() error { return s.UpdateFolders(ctx, a, nil, []domain.RemoteFolder{{Path: "/Photos/"}}, nil) },
			"put and retagged": func() error {
				return s.UpdateFolders(ctx, a, []domain.RemoteFolder{fresh}, []domain.RemoteFolder{fresh}, nil)
			},
			"retagged and dropped": func() error { return s.UpdateFolders(ctx, a, nil, []domain.RemoteFolder{fresh}, []string{fresh.Path}) },
		} {
			checkCode(t, "UpdateFolders, "+name, call(), domain.EINVALID)
		}
		checkFolders(t, "Folders after refused updates", mustFolders(t, s, a), top, year2, fresh)
	})

	t.Run("Failures", func(t *testing.T) {
		s, a, b := setup(t)
		full := syncFailure(a, domain.SyncDown, "nextcloud/a.jpg", "/Photos/a.jpg", true)
		if zero := zeroStructFields(full); len(zero) > 0 {
			t.Fatalf("syncFailure leaves %v at the zero value: give the new fields a value", zero)
		}
		up := syncFailure(a, domain.SyncUp, "nextcloud/a.jpg", "/Photos/a.jpg", false) // same paths, other direction
		sparse := domain.SyncFailure{Direction: domain.SyncUp, LocalPath: "b.jpg"}
		mustSaveFailures(t, s, a, []domain.SyncFailure{full, up, sparse}, nil)
		mustSaveFailures(t, s, b, []domain.SyncFailure{syncFailure(b, domain.SyncDown, "x.jpg", "/x.jpg", true)}, nil)
		sparse.AccountID = a
		checkSyncRows(t, "Failures", mustFailures(t, s, a, false), []domain.SyncFailure{sparse, full, up})
		checkSyncRows(t, "Failures failed only", mustFailures(t, s, a, true), []domain.SyncFailure{full})

		again := up
		again.Attempts, again.Failed, again.LastError = 5, true, "server answered 500"
		mustSaveFailures(t, s, a, []domain.SyncFailure{again}, []domain.SyncFailure{{Direction: domain.SyncDown,
			LocalPath: full.LocalPath, RemotePath: full.RemotePath}, {Direction: domain.SyncUp, LocalPath: "never.jpg"}})
		checkSyncRows(t, "Failures after an update", mustFailures(t, s, a, false), []domain.SyncFailure{sparse, again})
		if got := mustFailures(t, s, b, false); len(got) != 1 {
			t.Errorf("Failures of the other account = %v, want its one", got)
		}
		for _, bad := range []domain.SyncFailure{
			{Direction: "sideways", LocalPath: "a.jpg"},
			{Direction: domain.SyncUp},
			{AccountID: b, Direction: domain.SyncUp, LocalPath: "a.jpg"},
		} {
			err := s.SaveFailures(ctx, a, []domain.SyncFailure{syncFailure(a, domain.SyncUp, "new.jpg", "/new.jpg", false), bad}, nil)
			checkCode(t, fmt.Sprintf("SaveFailures(%+v)", bad), err, domain.EINVALID)
			err = s.SaveFailures(ctx, a, nil, []domain.SyncFailure{sparse, bad})
			checkCode(t, fmt.Sprintf("SaveFailures(clear %+v)", bad), err, domain.EINVALID)
		}
		checkSyncRows(t, "Failures after refused saves", mustFailures(t, s, a, false), []domain.SyncFailure{sparse, again})
	})

	t.Run("Runs", func(t *testing.T) {
		s, a, b := setup(t)
		full := syncRun(a)
		if zero := zeroStructFields(full, "ID"); len(zero) > 0 {
			t.Fatalf("syncRun leaves %v at the zero value: give the new fields a value", zero)
		}
		full.Errors = jobErrors(domain.MaxJobErrors + 5)
		created := full
		created.Errors = slices.Clone(full.Errors)
		mustCreateRun(t, s, &created)
		created.Errors[0].Message = "changed by the caller after CreateRun"
		sparse := domain.SyncRun{AccountID: a}
		mustCreateRun(t, s, &sparse)
		theirs := domain.SyncRun{AccountID: b, JobID: 9}
		mustCreateRun(t, s, &theirs)
		if created.ID == 0 || sparse.ID <= created.ID {
			t.Fatalf("CreateRun set IDs %d then %d, want growing IDs", created.ID, sparse.ID)
		}
		want := full
		want.ID, want.Errors = created.ID, jobErrors(domain.MaxJobErrors)
		checkSyncRows(t, "Runs", mustRuns(t, s, a, 0), []domain.SyncRun{sparse, want})
		checkSyncRows(t, "Runs limited", mustRuns(t, s, a, 1), []domain.SyncRun{sparse})
		checkSyncRows(t, "Runs of the other account", mustRuns(t, s, b, 10), []domain.SyncRun{theirs})

		done := want
		done.ID = sparse.ID
		done.Complete, done.Error, done.Errors = false, "stopped: the server rejected the password", nil
		if err := s.UpdateRun(ctx, done); err != nil {
			t.Fatalf("UpdateRun: %v", err)
		}
		checkSyncRows(t, "Runs after UpdateRun", mustRuns(t, s, a, -1), []domain.SyncRun{done, want})
		checkCode(t, "UpdateRun of an unknown run", s.UpdateRun(ctx, domain.SyncRun{ID: theirs.ID + 100, AccountID: a}), domain.ENOTFOUND)
		checkCode(t, "UpdateRun under another account", s.UpdateRun(ctx, domain.SyncRun{ID: theirs.ID, AccountID: a}), domain.ENOTFOUND)
		checkCode(t, "CreateRun without an account", s.CreateRun(ctx, &domain.SyncRun{}), domain.EINVALID)
	})
}

func syncPair(account int64, remote string) domain.SyncPair {
	at := time.Date(2024, 7, 1, 12, 30, 15, 123456789, time.FixedZone("CEST", 2*60*60))
	return domain.SyncPair{
		AccountID: account, LocalPath: "nextcloud" + remote, RemotePath: remote, Size: 4096,
		LocalModTime: at, RemoteModTime: at.Add(time.Second), ETag: `"` + syncSHA(remote)[:8] + `"`,
		SHA1: syncSHA(remote), SyncedAt: at.Add(time.Hour), LocalDeleted: true, RemoteDeleted: true,
	}
}

func syncFailure(account int64, dir domain.SyncDirection, local, remote string, failed bool) domain.SyncFailure {
	at := time.Date(2024, 7, 1, 12, 30, 15, 987654321, time.UTC)
	return domain.SyncFailure{
		AccountID: account, Direction: dir, LocalPath: local, RemotePath: remote, Attempts: 3,
		LastError: "the server answered 500", LastAttemptAt: at, NextAttemptAt: at.Add(10 * time.Minute), Failed: failed,
	}
}

func syncRun(account int64) domain.SyncRun {
	at := time.Date(2024, 7, 1, 12, 30, 15, 1, time.FixedZone("EST", -5*60*60))
	return domain.SyncRun{
		ID: 1, AccountID: account, JobID: 7, DryRun: true, StartedAt: at, FinishedAt: at.Add(time.Minute),
		Downloaded: 1, Uploaded: 2, BytesDown: 3, BytesUp: 4, Skipped: 5, Failed: 6,
		Errors: jobErrors(2), Error: "cancelled", Complete: true,
	}
}

func remoteEntry(p string, dir bool) domain.RemoteFile {
	f := domain.RemoteFile{Path: p, Name: path.Base(p), IsDir: dir, ETag: `"` + syncSHA(p)[:6] + `"`,
		ModTime: time.Date(2023, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))}
	if !dir {
		f.Size, f.Checksum = int64(len(p)), domain.SHA1Checksum(syncSHA(p))
	}
	return f
}

func syncSHA(s string) string { return uploadSHA(s) }

// zeroStructFields names the fields of the struct v that hold their zero
// value, except the ones listed in skip.
func zeroStructFields(v any, skip ...string) []string {
	var zero []string
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		name := rv.Type().Field(i).Name
		if rv.Field(i).IsZero() && !slices.Contains(skip, name) {
			zero = append(zero, name)
		}
	}
	return zero
}

// checkSyncRows compares two lists of structs field by field, in order:
// times with time.Equal, nil slices equal to empty ones.
func checkSyncRows[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s returned %d rows %+v, want %d %+v", what, len(got), got, len(want), want)
		return
	}
	for i := range got {
		gv, wv := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		for j := range gv.NumField() {
			g, w := gv.Field(j).Interface(), wv.Field(j).Interface()
			if gv.Field(j).Kind() == reflect.Slice && gv.Field(j).Len() == 0 && wv.Field(j).Len() == 0 {
				continue
			}
			if !sameValue(g, w) {
				t.Errorf("%s: row %d: %s is %#v, want %#v", what, i, gv.Type().Field(j).Name, g, w)
			}
		}
	}
}

func checkFolders(t *testing.T, what string, got []domain.RemoteFolder, want ...domain.RemoteFolder) {
	t.Helper()
	norm := func(fs []domain.RemoteFolder) []domain.RemoteFolder {
		var out []domain.RemoteFolder
		for _, f := range fs {
			files := slices.Clone(f.Files)
			for i := range files {
				files[i].ModTime = files[i].ModTime.UTC()
			}
			if len(files) == 0 {
				files = nil
			}
			out = append(out, domain.RemoteFolder{Path: f.Path, ETag: f.ETag, Files: files})
		}
		return out
	}
	// The files of each wanted folder by path, as the store returns them.
	sorted := make([]domain.RemoteFolder, len(want))
	for i, f := range want {
		f.Files = slices.Clone(f.Files)
		slices.SortFunc(f.Files, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) })
		sorted[i] = f
	}
	if g, w := norm(got), norm(sorted); !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %+v\nwant %+v", what, g, w)
	}
}

func mustSavePairs(t *testing.T, s ports.SyncStore, account int64, upsert []domain.SyncPair, remove []string) {
	t.Helper()
	if err := s.SavePairs(context.Background(), account, upsert, remove); err != nil {
		t.Fatalf("SavePairs: %v", err)
	}
}

func mustPairs(t *testing.T, s ports.SyncStore, account int64) []domain.SyncPair {
	t.Helper()
	ps, err := s.Pairs(context.Background(), account)
	if err != nil {
		t.Fatalf("Pairs: %v", err)
	}
	return ps
}

func mustReplaceFolders(t *testing.T, s ports.SyncStore, account int64, fs []domain.RemoteFolder) {
	t.Helper()
	if err := s.ReplaceFolders(context.Background(), account, fs); err != nil {
		t.Fatalf("ReplaceFolders: %v", err)
	}
}

func mustFolders(t *testing.T, s ports.SyncStore, account int64) []domain.RemoteFolder {
	t.Helper()
	fs, err := s.Folders(context.Background(), account)
	if err != nil {
		t.Fatalf("Folders: %v", err)
	}
	return fs
}

func mustSaveFailures(t *testing.T, s ports.SyncStore, account int64, upsert, clear []domain.SyncFailure) {
	t.Helper()
	if err := s.SaveFailures(context.Background(), account, upsert, clear); err != nil {
		t.Fatalf("SaveFailures: %v", err)
	}
}

func mustFailures(t *testing.T, s ports.SyncStore, account int64, failedOnly bool) []domain.SyncFailure {
	t.Helper()
	fs, err := s.Failures(context.Background(), account, failedOnly)
	if err != nil {
		t.Fatalf("Failures: %v", err)
	}
	return fs
}

func mustCreateRun(t *testing.T, s ports.SyncStore, r *domain.SyncRun) {
	t.Helper()
	if err := s.CreateRun(context.Background(), r); err != nil {
		t.Fatalf("CreateRun: %v", err)
	}
}

func mustRuns(t *testing.T, s ports.SyncStore, account int64, limit int) []domain.SyncRun {
	t.Helper()
	rs, err := s.Runs(context.Background(), account, limit)
	if err != nil {
		t.Fatalf("Runs: %v", err)
	}
	return rs
}
