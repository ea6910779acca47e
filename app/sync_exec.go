package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sync"
	"sync/atomic"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// syncExec is a run's executor: it carries out the transfers of a plan,
// several at a time, and reports how each ended to the run's ledger,
// which counts and records them. It works with the parts the Syncer
// gives it when the run starts.
type syncExec struct {
	a      domain.Account
	set    domain.SyncSettings
	st     ports.RemoteStorage
	p      *Progress
	led    *ledger // the run's records
	sender *sender
	verify *verifier // checks the uploads, a folder listing at a time
	retry  retryPolicy

	// The Syncer's parts the executor works with.
	lib       ports.Library
	writer    ports.LibraryWriter
	inspector ports.MediaInspector
	checker   ports.ContentChecker
	versions  ports.VersionStore
	clock     ports.Clock
	log       *slog.Logger
	cfg       SyncConfig
	staging   *sync.RWMutex // the Syncer's: see Syncer.staging

	mu      sync.Mutex                    // guards local and written
	mkdirMu sync.Mutex                    // one MKCOL at a time
	dirs    map[string]bool               // remote folders known to exist, guarded by mkdirMu
	local   map[string]domain.LibraryFile // the library as indexed, by path; see localMap
	// What the map is made from, on first use: a run that moves
	// nothing (most runs) never makes it, which at 100,000 files is
	// tens of megabytes.
	knownLocal []domain.LibraryFile
	written    map[string]string // SHA-1s of the files this run named, by path
}

// newExec returns the executor of a run of account a, with its ledger.
func (s *Syncer) newExec(a domain.Account, st ports.RemoteStorage, p *Progress, led *ledger) *syncExec {
	retry := retryPolicy{attempts: s.cfg.Attempts, delay: s.cfg.RetryDelay}
	return &syncExec{
		a: a, set: domain.SyncSettingsOf(a, s.cfg.DownloadFolder), st: st, p: p, led: led, retry: retry,
		sender: &sender{st: st, library: s.lib, p: p, log: s.log, retry: retry, proof: s.cfg.Verify,
			proofs: newProofRecorder(s.proofs, a.ID, s.clock, s.log), parallel: s.cfg.Parallel},
		lib: s.lib, writer: s.writer, inspector: s.inspector, checker: s.checker, versions: s.versions,
		clock: s.clock, log: s.log, cfg: s.cfg, staging: &s.staging,
		dirs: map[string]bool{}, written: map[string]string{},
	}
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

// execute carries out a plan: the actions that move no bytes at once
// (the ledger records them), then the downloads (with local updates and
// conflict copies), then the uploads, each phase Parallel files at a
// time. It returns an error only when the run must stop: a refusal of the
// credentials, or ctx ending.
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
	x.led.forgetStaleFailures(ctx, plan)
	x.led.unmoved(ctx, plan)
	// Uploads that do not fit in the sync folder are refused up front,
	// each with the reason; what fits is sent, downloads still go ahead.
	up, qerr := fitUploads(ctx, x.st, x.a.SyncFolder, up, func(act domain.SyncAction, err error) { x.led.failed(ctx, act, err) })
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
	x.verify = newVerifier(ctx, x.sender, paths)
	err = runParallel(ctx, x.cfg.Parallel, len(up), func(ctx context.Context, i int) error {
		return x.do(ctx, up[i])
	})
	if ferr := x.verify.flush(ctx); err == nil {
		err = ferr
	}
	return err
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
		x.led.skipped(act)
		return nil
	}
	x.led.failed(ctx, act, err)
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
			x.led.pairedSkip(ctx, act, pair)
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
	x.led.succeeded(ctx, act, moved{down: 1, bytesDown: pair.Size}, pair)
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
		x.led.paired(ctx, conflict)
		if err == errChangedSince {
			x.led.succeeded(ctx, act, moved{down: 1, bytesDown: conflict.Size})
			return nil
		}
		return err
	}
	x.led.succeeded(ctx, act, moved{down: 1, up: 1, bytesDown: conflict.Size, bytesUp: pair.Size}, pair)
	return nil
}

// upload sends a library file to its remote path: a new file, or a
// changed one over the server's copy, which must still be as listed. A
// file this run paired already (a download found it in the library) is
// not sent back. The file is counted and paired once x.verify has checked
// the size the server stored; an error is the send's (the file not
// counted yet) or one that stops the run.
func (x *syncExec) upload(ctx context.Context, act domain.SyncAction) error {
	if x.led.pairedByRun(act.LocalPath) {
		x.log.DebugContext(ctx, "sync: not sending back a file the run paired", "local", act.LocalPath)
		x.led.skipped(act)
		return x.verify.gaveUp(ctx, act.RemotePath, nil)
	}
	if act.Truncated {
		if err := x.removeTruncated(ctx, act); err != nil {
			return x.verify.gaveUp(ctx, act.RemotePath, err)
		}
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
			x.led.succeeded(ctx, act, moved{up: 1, bytesUp: pair.Size}, pair)
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

// removeTruncated removes the truncated copy an interrupted upload left
// at the action's remote path (see domain.SyncInput.Truncated), when it is
// still the one the run listed (errChangedSince otherwise), so that the
// library file is sent whole in its place.
func (x *syncExec) removeTruncated(ctx context.Context, act domain.SyncAction) error {
	if err := x.unchangedRemote(ctx, act); err != nil {
		return err
	}
	// The evidence (the copy is the start of the library file) was
	// gathered before the plan, maybe hours ago: the library file must
	// still be the one it was gathered on, and sound for its kind, before
	// the server's copy goes. Then a send that fails loses nothing but
	// the partial copy, and a damaged library file is never sent in its
	// place.
	if err := x.localUnchanged(ctx, act.Local); err != nil {
		return err
	}
	if err := x.soundOutgoing(ctx, act); err != nil {
		return err
	}
	if err := x.st.Delete(ctx, act.RemotePath); err != nil {
		return fmt.Errorf("remove the truncated upload of an interrupted run: %w", err)
	}
	x.log.InfoContext(ctx, "sync: removed the truncated upload of an interrupted run; the file is sent again",
		"remote", act.RemotePath, "size", act.Remote.Size, "want", act.Local.Size)
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
