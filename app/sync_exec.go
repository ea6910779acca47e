package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// syncExec carries out one run's plan and keeps its counts and its
// records: pairs and failures wait in memory and are saved together every
// SaveEvery files (or saveInterval) and at the end, so a run killed in the
// middle loses at most the last few records, and the next run finds the
// files they describe in place and adopts them.
type syncExec struct {
	*Syncer
	a      domain.Account
	set    domain.SyncSettings
	st     ports.RemoteStorage
	p      *Progress
	by     SyncTrigger
	runID  int64 // the run's record
	sender *sender
	verify *verifier // checks the uploads, a folder listing at a time
	retry  retryPolicy

	mu       sync.Mutex
	run      domain.SyncRun                    // the counts and first errors
	pairs    map[string]domain.SyncPair        // by remote path, as known; see pairMap
	failures map[failureKey]domain.SyncFailure // as known
	pending  records                           // not saved yet
	lastSave time.Time                         // real time
	mkdirMu  sync.Mutex                        // one MKCOL at a time
	dirs     map[string]bool                   // remote folders known to exist, guarded by mkdirMu
	saveMu   sync.Mutex                        // one save at a time
	saveErr  error                             // the first save that failed
	local    map[string]domain.LibraryFile     // the library as indexed, by path; see localMap
	// What the maps are made from, on first use: a run that moves
	// nothing (most runs) never makes them, which at 100,000 files is
	// tens of megabytes.
	knownPairs []domain.SyncPair
	knownLocal []domain.LibraryFile
	written    map[string]string // SHA-1s of the files this run named, by path
	pairedNow  map[string]bool   // library paths this run paired
}

// pairMap answers the pairs by remote path, made on first use; x.mu must
// be held.
func (x *syncExec) pairMap() map[string]domain.SyncPair {
	if x.pairs == nil {
		x.pairs = make(map[string]domain.SyncPair, len(x.knownPairs))
		for _, p := range x.knownPairs {
			x.pairs[p.RemotePath] = p
		}
	}
	return x.pairs
}

// localMap answers the library files by path, made on first use; x.mu
// must be held.
func (x *syncExec) localMap() map[string]domain.LibraryFile {
	if x.local == nil {
		x.local = make(map[string]domain.LibraryFile, len(x.knownLocal))
		for _, f := range x.knownLocal {
			x.local[f.Path] = f
		}
	}
	return x.local
}

// records are pairs and failures to save.
type records struct {
	pairs       []domain.SyncPair
	removed     []string // remote paths of pairs to forget
	failures    []domain.SyncFailure
	cleared     []domain.SyncFailure
	transferred int
}

func (r records) empty() bool {
	return len(r.pairs)+len(r.removed)+len(r.failures)+len(r.cleared) == 0
}

// execute carries out a plan: the actions that move no bytes at once,
// then the downloads (with local updates and conflict copies), then the
// uploads, each phase Parallel files at a time. It returns an error only
// when the run must stop: a refusal of the credentials, or ctx ending.
func (x *syncExec) execute(ctx context.Context, plan domain.SyncPlan) error {
	var down, up []domain.SyncAction
	bytes, upBytes := int64(0), int64(0)
	for _, act := range plan.Actions {
		switch act.Op {
		case domain.OpDownload, domain.OpUpdateLocal, domain.OpKeepBoth:
			down = append(down, act)
			bytes += act.Size
		case domain.OpUpload, domain.OpUploadAgain:
			up = append(up, act)
			bytes += act.Size
			upBytes += act.Size
		}
	}
	x.p.AddTotal(len(plan.Actions), bytes) // to what a run sent while the library was read
	x.forgetStaleFailures(ctx, plan)
	for _, act := range plan.Actions {
		switch act.Op {
		case domain.OpSkip:
			x.skipped(act)
		case domain.OpLink:
			x.link(ctx, act)
		case domain.OpForget:
			x.mu.Lock()
			delete(x.pairMap(), act.RemotePath)
			x.mu.Unlock()
			x.skipped(act)
			x.record(ctx, records{removed: []string{act.RemotePath}})
		case domain.OpRememberDeletion:
			x.remember(ctx, act)
		}
	}
	// Uploads that do not fit in the sync folder are refused up front,
	// each with the reason; what fits is sent, downloads still go ahead.
	up, qerr := fitUploads(ctx, x.st, x.a.SyncFolder, up, func(act domain.SyncAction, err error) { x.failed(ctx, act, err) })
	if qerr != nil {
		return qerr
	}
	err := runParallel(ctx, x.cfg.Parallel, len(down), func(ctx context.Context, i int) error {
		return x.do(ctx, down[i])
	})
	if err != nil {
		return err
	}
	// Uploads are checked a folder listing at a time (see verifier).
	paths := make([]string, len(up))
	for i, act := range up {
		paths[i] = act.RemotePath
	}
	x.verify = newVerifier(x.sender, paths)
	err = runParallel(ctx, x.cfg.Parallel, len(up), func(ctx context.Context, i int) error {
		return x.do(ctx, up[i])
	})
	if ferr := x.verify.flush(ctx); err == nil {
		err = ferr
	}
	return err
}

// forgetStaleFailures clears the failure records of files the plan no
// longer has anything to do with (gone, synced by other means, or no
// longer wanted), so that they do not linger in the list of failed files.
func (x *syncExec) forgetStaleFailures(ctx context.Context, plan domain.SyncPlan) {
	inPlan := map[failureKey]bool{}
	for _, act := range plan.Actions {
		for _, k := range failureKeysOf(act) {
			inPlan[k] = true
		}
	}
	var stale []domain.SyncFailure
	x.mu.Lock()
	for k, f := range x.failures {
		if !inPlan[k] {
			stale = append(stale, f)
			delete(x.failures, k)
		}
	}
	x.mu.Unlock()
	if len(stale) > 0 {
		x.record(ctx, records{cleared: stale})
	}
}

// errChangedSince is the answer of a transfer that was to replace a copy
// which changed after the run looked at it: the next run decides anew.
var errChangedSince = domain.Errorf(domain.ECONFLICT, "changed since the run listed it; the next run looks again")

// do carries out one transfer action and counts it. It returns an error
// only to stop the run.
func (x *syncExec) do(ctx context.Context, act domain.SyncAction) error {
	var err error
	switch act.Op {
	case domain.OpDownload, domain.OpUpdateLocal:
		err = x.download(ctx, act)
	case domain.OpKeepBoth:
		err = x.keepBoth(ctx, act)
	case domain.OpUpload, domain.OpUploadAgain:
		err = x.upload(ctx, act)
	}
	return x.settle(ctx, act, err)
}

// settle counts an action whose transfer ended with err (nil: nothing
// more to count). It returns an error only to stop the run.
func (x *syncExec) settle(ctx context.Context, act domain.SyncAction, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case isFatal(err):
		return err
	case err == errChangedSince:
		x.log.InfoContext(ctx, "sync: a file changed while the run went on", "local", act.LocalPath, "remote", act.RemotePath)
		x.skipped(act)
		return nil
	}
	x.failed(ctx, act, err)
	return nil
}

// download brings a remote file into the library: a new one at its path
// (or, with normalised names, under the name its content gives it), or a
// changed one over the library's copy, which must still be as indexed.
func (x *syncExec) download(ctx context.Context, act domain.SyncAction) error {
	var pair domain.SyncPair
	var err error
	switch {
	case act.Op == domain.OpUpdateLocal:
		if err := x.localUnchanged(ctx, act.Local); err != nil {
			return err
		}
		var same bool
		pair, same, err = x.replaceLocal(ctx, act)
		if err == nil && same {
			// The server's version holds the library's very bytes:
			// nothing was replaced, the pair is remade.
			x.pairedSkip(ctx, act, pair)
			return nil
		}
	case act.LocalPath == "":
		pair, err = x.fetchNormalized(ctx, act.Remote)
	default:
		pair, err = x.fetch(ctx, act.Remote, act.LocalPath, false)
	}
	if err != nil {
		return err
	}
	x.succeeded(ctx, act, moved{down: 1, bytesDown: pair.Size}, pair)
	return nil
}

// keepBoth saves the server's version of a file that changed on both
// sides beside the library's, as a conflict copy (which stays in the
// library and is never uploaded), then sends the library's version over
// the server's, which must still be the one saved. Should that send fail,
// the server's version is paired with its copy, so that the next run
// uploads the library's version as a new file rather than making another
// conflict copy.
func (x *syncExec) keepBoth(ctx context.Context, act domain.SyncAction) error {
	conflict, err := x.fetch(ctx, act.Remote, act.ConflictPath, false)
	if err != nil {
		return err
	}
	pair, err := x.replaceRemote(ctx, act)
	if err != nil {
		x.mu.Lock()
		x.pairMap()[conflict.RemotePath] = conflict
		x.mu.Unlock()
		x.record(ctx, records{pairs: []domain.SyncPair{conflict}})
		if err == errChangedSince {
			x.succeeded(ctx, act, moved{down: 1, bytesDown: conflict.Size})
			return nil
		}
		return err
	}
	x.succeeded(ctx, act, moved{down: 1, up: 1, bytesDown: conflict.Size, bytesUp: pair.Size}, pair)
	return nil
}

// upload sends a library file to its remote path: a new file, or a
// changed one over the server's copy, which must still be as listed. A
// file this run paired already (a download found it in the library) is
// not sent back. The file is counted and paired once x.verify has checked
// the size the server stored; an error is the send's (the file not
// counted yet) or one that stops the run.
func (x *syncExec) upload(ctx context.Context, act domain.SyncAction) error {
	x.mu.Lock()
	paired := x.pairedNow[act.LocalPath]
	x.mu.Unlock()
	if paired {
		x.log.DebugContext(ctx, "sync: not sending back a file the run paired", "local", act.LocalPath)
		x.skipped(act)
		return x.verify.gaveUp(ctx, act.RemotePath, nil)
	}
	fresh := act.Op != domain.OpUploadAgain
	var undo func()
	if !fresh {
		if err := x.unchangedRemote(ctx, act); err != nil {
			return x.verify.gaveUp(ctx, act.RemotePath, err)
		}
		if err := x.soundOutgoing(ctx, act); err != nil {
			return x.verify.gaveUp(ctx, act.RemotePath, err)
		}
		var err error
		if undo, err = x.keepRemote(ctx, act); err != nil {
			return x.verify.gaveUp(ctx, act.RemotePath, err)
		}
		if undo != nil {
			undo = sync.OnceFunc(undo)
			fresh = true // the copy was moved aside: the path is free
		}
	}
	if err := x.mkdir(ctx, path.Dir(act.RemotePath)); err != nil {
		if undo != nil {
			undo()
		}
		return x.verify.gaveUp(ctx, act.RemotePath, err)
	}
	f := act.Local
	var sent atomic.Bool
	err := x.sender.putChecked(ctx, x.verify, sendItem{f: f, path: act.RemotePath, fresh: fresh},
		func(ctx context.Context, rf domain.RemoteFile, sum string, err error) {
			if err != nil {
				if undo != nil {
					undo()
				}
				_ = x.settle(ctx, act, err) // a run-stopping error is returned by putChecked
				return
			}
			sent.Store(true)
			pair := x.pairOf(f, act.RemotePath, rf, sum)
			x.succeeded(ctx, act, moved{up: 1, bytesUp: pair.Size}, pair)
		})
	if err != nil && undo != nil && !sent.Load() {
		undo()
	}
	return err
}

// replaceRemote sends a library file over the server's copy at the
// action's remote path once it has checked that the copy is still the one
// the run listed (errChangedSince otherwise). A failed send leaves the
// copy to the server: it is not removed.
func (x *syncExec) replaceRemote(ctx context.Context, act domain.SyncAction) (domain.SyncPair, error) {
	if err := x.unchangedRemote(ctx, act); err != nil {
		return domain.SyncPair{}, err
	}
	if err := x.soundOutgoing(ctx, act); err != nil {
		return domain.SyncPair{}, err
	}
	undo, err := x.keepRemote(ctx, act)
	if err != nil {
		return domain.SyncPair{}, err
	}
	pair, err := x.put(ctx, act.Local, act.RemotePath, undo != nil)
	if err != nil && undo != nil {
		undo()
	}
	return pair, err
}

// unchangedRemote checks that the server's copy at the action's remote
// path is still the one the run listed: errChangedSince otherwise.
func (x *syncExec) unchangedRemote(ctx context.Context, act domain.SyncAction) error {
	rf, err := x.st.Stat(ctx, act.RemotePath)
	if err != nil {
		return err
	}
	if rf.Size != act.Remote.Size || rf.ETag != act.Remote.ETag || !rf.ModTime.Equal(act.Remote.ModTime) {
		return errChangedSince
	}
	return nil
}

// localUnchanged checks that a library file is still as the index saw it,
// before a download replaces it: errChangedSince otherwise.
func (x *syncExec) localUnchanged(ctx context.Context, f domain.LibraryFile) error {
	r, err := x.lib.Open(ctx, f.Path)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return errChangedSince
	}
	if err != nil {
		return err
	}
	defer r.Close()
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		fi, err := st.Stat()
		if err != nil {
			return err
		}
		if fi.Size() != f.Size || !fi.ModTime().Equal(f.ModTime) {
			return errChangedSince
		}
		return nil
	}
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if size != f.Size {
		return errChangedSince
	}
	return nil
}

// pairedSkip records a pair made without moving a file, counted as
// skipped.
func (x *syncExec) pairedSkip(ctx context.Context, act domain.SyncAction, pair domain.SyncPair) {
	x.mu.Lock()
	x.pairMap()[pair.RemotePath] = pair
	x.pairedNow[pair.LocalPath] = true
	x.run.Skipped++
	x.mu.Unlock()
	x.p.FileDone(pathOf(act), Skipped, nil)
	x.record(ctx, records{pairs: []domain.SyncPair{pair}})
}

// link records the pair of a file found the same on both sides.
func (x *syncExec) link(ctx context.Context, act domain.SyncAction) {
	sum := act.Local.SHA1
	if sum == "" {
		sum = remoteSHA1(act.Remote.Checksum)
	}
	pair := domain.SyncPair{
		AccountID: x.a.ID, LocalPath: act.LocalPath, RemotePath: act.RemotePath, Size: act.Local.Size,
		LocalModTime: act.Local.ModTime, RemoteModTime: act.Remote.ModTime, ETag: act.Remote.ETag, SHA1: sum,
		SyncedAt: x.clock.Now(),
	}
	x.pairedSkip(ctx, act, pair)
}

// put sends a library file to a remote path, creating the folder it goes
// in, and returns the pair it makes. fresh says nothing was at the path,
// so a failed send removes what it left.
func (x *syncExec) put(ctx context.Context, f domain.LibraryFile, remote string, fresh bool) (domain.SyncPair, error) {
	if err := x.mkdir(ctx, path.Dir(remote)); err != nil {
		return domain.SyncPair{}, err
	}
	rf, sum, err := x.sender.send(ctx, sendItem{f: f, path: remote, fresh: fresh})
	if err != nil {
		return domain.SyncPair{}, err
	}
	return x.pairOf(f, remote, rf, sum), nil
}

// pairOf is the pair a library file makes with the copy the server
// stored of it.
func (x *syncExec) pairOf(f domain.LibraryFile, remote string, rf domain.RemoteFile, sum string) domain.SyncPair {
	return domain.SyncPair{
		AccountID: x.a.ID, LocalPath: f.Path, RemotePath: remote, Size: rf.Size,
		LocalModTime: f.ModTime, RemoteModTime: rf.ModTime, ETag: rf.ETag, SHA1: sum, SyncedAt: x.clock.Now(),
	}
}

// mkdir creates a remote folder once per run; the folders the run's walk
// saw are known to exist already (see knowFolders). Folders are created
// one at a time: servers answer two MKCOLs of one folder at once with 405,
// 423 or even 403.
func (x *syncExec) mkdir(ctx context.Context, dir string) error {
	x.mkdirMu.Lock()
	defer x.mkdirMu.Unlock()
	if x.dirs[dir] {
		return nil
	}
	// A folder whose parent the run saw needs one MKCOL, not a look first.
	if fm, ok := x.st.(ports.FolderMaker); ok && x.dirs[path.Dir(dir)] {
		if err := fm.Mkdir(ctx, dir); err != nil {
			return fmt.Errorf("create the folder %s: %w", dir, err)
		}
		x.dirs[dir] = true
		return nil
	}
	if err := x.st.MkdirAll(ctx, dir); err != nil {
		return fmt.Errorf("create the folder %s: %w", dir, err)
	}
	for d := dir; d != "/" && !x.dirs[d]; d = path.Dir(d) {
		x.dirs[d] = true
	}
	return nil
}

// remoteSHA1 returns the SHA-1 a server reported in a RemoteFile's
// Checksum ("SHA1:<hex>", possibly among others), or "".
func remoteSHA1(checksum string) string {
	for _, c := range strings.Fields(checksum) {
		if algo, sum, ok := strings.Cut(c, ":"); ok && strings.EqualFold(algo, "SHA1") {
			return strings.ToLower(sum)
		}
	}
	return ""
}

// knowFolders notes the remote folders a walk saw, and the sync folder a
// run created, as existing, so that uploads into them send no MKCOL.
func (x *syncExec) knowFolders(folders []domain.RemoteFolder) {
	x.mkdirMu.Lock()
	defer x.mkdirMu.Unlock()
	x.dirs[x.a.SyncFolder] = true
	for _, f := range folders {
		x.dirs[f.Path] = true
	}
}
