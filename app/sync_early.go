package app

import (
	"container/heap"
	"context"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/photosync/photosync/domain"
)

// Sending while the library is read (issue 22).
//
// A run plans with the whole index and the whole listing (PlanSync takes
// a file missing from either for deleted), so on its own a first backup
// costs reading and hashing the library, then the wire. earlySync lets a
// run send, while the index still reads, the files whose fate the rest of
// the library cannot change: once the listing, the pairs and the failures
// are known, a file the index has just read is sent at once when
//   - the index found no problem in it and has its SHA-1;
//   - no pair names it (in any normalisation) and no failure record does;
//   - no unpaired remote file has its size: only such a file could be
//     linked to it by content (the planner's rules, the copies of manual
//     uploads and the closer look of recoverUnrecorded all need the same
//     size), so none of them can apply;
//   - no file of this run is being sent with its content, or to its
//     remote path (names compared as the server does);
//   - the planner, given the account's settings, this one library file
//     and the remote entries and pairs of the name it would go to, uploads
//     it to that very name (not a numbered one): the settings (uploads on, RAW and video switches,
//     names), ignored and hidden files, conflict copies, sidecars (which
//     follow a photo the index may not have read yet: they wait) and
//     taken names are the planner's to decide, not repeated here;
//   - it fits in the free space the server reports, with the files sent
//     before it.
//
// Nothing else is decided from a partial index: no download, no deletion,
// no conflict, no replacement. The sends go through the run's sender (the
// same proof, the same size check a folder listing at a time) and record
// their pairs through the run's records; their remote files and pairs join
// the listing and the pairs the plan is made with once the index is done,
// so the plan finds them paired and carries out the rest as usual.
//
// The senders (Parallel of them) take files as the index hands them over;
// once the index is done, they send what it read last, then every send is
// checked (a folder's files a listing at a time, as the plan's are) before
// the plan is made. A send that fails is counted and recorded as the
// plan's would be, and the plan leaves the file alone: each file is tried
// once a run. A refusal of the credentials or the end of ctx stops the
// run, as it stops the plan's transfers. A run whose plan the first-run
// guard may hold back (see guard: a scheduled or watcher's run of an
// account with no pairs that has never completed) sends nothing early, a
// run with uploads off neither, and a dry run has no earlySync at all.
type earlySync struct {
	x        *syncExec
	by       SyncTrigger
	firstRun func(context.Context) (bool, error) // see Syncer.firstRun

	mu       sync.Mutex
	cond     *sync.Cond // signalled when queue grows or state changes
	queue    earlyQueue // read by the index, not looked at yet: the largest first
	closed   bool       // the index is done: the files queued are the last
	done     bool       // no more files are taken: a send failed, or ctx ended
	err      error      // the first error that stops the run
	ev       earlyEvidence
	verify   *verifier
	pr       *prepared           // the listing's side of the run, once known
	listing  []domain.RemoteFile // the sync folder's files
	gathered bool                // ev is made
	workers  sync.WaitGroup
	unwake   func() bool     // stops the wake-up at ctx's end
	tokens   map[string]bool // remote folders whose token the verifier holds (see expect)
	inClaim  map[string]int  // files taken from the queue and not decided yet, by remote folder
	pending  map[string]int  // once the index is done: files queued or in claim, by remote folder
	quota    sync.Once

	// What the sends made, for the plan.
	files  []domain.RemoteFile
	pairs  []domain.SyncPair
	failed []string // library paths whose send failed
	sent   int
	bytes  int64
}

// earlyEvidence is what decides whether a file may go before the plan.
type earlyEvidence struct {
	set        domain.SyncSettings
	pairedL    map[string]bool                // NFC library paths of every pair
	failedL    map[string]bool                // library paths of every failure record
	sizes      map[int64]bool                 // sizes of the unpaired remote files
	entries    map[string][]domain.RemoteFile // the listing by folded path, for the planner's names
	pathPairs  map[string][]domain.SyncPair   // the pairs by folded remote path
	claimed    map[string]bool                // folded remote paths this run sends to
	sums       map[string]bool                // SHA-1s this run sends
	free       int64                          // bytes the server still takes, when limited
	limited    bool
	quotaAsked bool
}

// newEarlySync returns the early sending of a run; the run's sender must
// be set.
func newEarlySync(x *syncExec, by SyncTrigger, firstRun func(context.Context) (bool, error)) *earlySync {
	e := &earlySync{x: x, by: by, firstRun: firstRun}
	e.cond = sync.NewCond(&e.mu)
	return e
}

// options are the index options that feed e, and progress the index's
// part of the run's progress; nil e (a dry run) gives neither.
func (e *earlySync) options() IndexOptions {
	if e == nil {
		return IndexOptions{}
	}
	return IndexOptions{Read: e.read}
}

func (e *earlySync) progress() *Progress {
	if e == nil {
		return nil
	}
	return e.x.p.Indexing()
}

// read takes a file the index has just read.
func (e *earlySync) read(f domain.LibraryFile) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return
	}
	heap.Push(&e.queue, f)
	e.cond.Signal()
}

// start gathers the evidence once the listing, pairs and failures are
// known, and starts the senders, unless the run may not send early.
func (e *earlySync) start(ctx context.Context, pr *prepared, listing []domain.RemoteFile) {
	if e == nil {
		return
	}
	x := e.x
	if why := e.notNow(ctx, pr); why != "" {
		x.log.DebugContext(ctx, "sync: nothing is sent before the plan", "account", x.a.ID, "why", why)
		e.stop(nil)
		return
	}
	e.mu.Lock()
	e.pr, e.listing = pr, listing
	e.verify = newVerifier(ctx, x.sender, nil)
	e.tokens, e.inClaim = map[string]bool{}, map[string]int{}
	e.mu.Unlock()
	// The senders wait in cond.Wait: the end of ctx wakes them.
	e.unwake = context.AfterFunc(ctx, func() { e.stop(nil) })
	for range x.cfg.Parallel {
		e.workers.Go(func() { e.work(ctx) })
	}
}

// gather gathers the evidence, when the first file is to be looked at:
// a run whose index reads nothing (most runs) builds nothing. e.mu is
// held.
func (e *earlySync) gather() {
	if e.gathered || e.pr == nil {
		return
	}
	e.gathered = true
	x, pr := e.x, e.pr
	// The run's own state, which the plan's execution starts from too.
	x.knowFolders(pr.folders)
	x.led.know(pr.pairs, pr.failures)

	ev := earlyEvidence{set: x.set, pairedL: make(map[string]bool, len(pr.pairs)), failedL: map[string]bool{},
		sizes: map[int64]bool{}, entries: map[string][]domain.RemoteFile{}, pathPairs: map[string][]domain.SyncPair{},
		claimed: map[string]bool{}, sums: map[string]bool{}}
	pairedR := make(map[string]bool, len(pr.pairs))
	for _, p := range pr.pairs {
		ev.pairedL[domain.NFC(p.LocalPath)] = true
		pairedR[p.RemotePath] = true
		k := foldPath(p.RemotePath)
		ev.pathPairs[k] = append(ev.pathPairs[k], p)
	}
	for _, f := range pr.failures {
		if f.LocalPath != "" {
			ev.failedL[f.LocalPath] = true
		}
	}
	for _, r := range e.listing {
		k := foldPath(r.Path)
		ev.entries[k] = append(ev.entries[k], r)
		if !r.IsDir && !pairedR[r.Path] {
			ev.sizes[r.Size] = true
		}
	}
	e.ev = ev
}

// notNow says why a run sends nothing before its plan, or "".
func (e *earlySync) notNow(ctx context.Context, pr *prepared) string {
	x := e.x
	switch {
	case !x.set.Upload:
		return "uploads are off"
	case pr.createFolder != "":
		return "the sync folder is missing"
	case (e.by == BySchedule || e.by == ByWatcher) && len(pr.pairs) == 0:
		first, err := e.firstRun(ctx)
		if err != nil || first {
			return "the first run's plan may wait for confirmation"
		}
	}
	return ""
}

// stop ends the taking of files, with the error that stops the run, if
// any. Files not taken are the plan's.
func (e *earlySync) stop(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil && e.err == nil {
		e.err = err
	}
	e.done, e.queue = true, earlyQueue{}
	e.cond.Broadcast()
}

// work sends the files that may go, one at a time, until e stops.
func (e *earlySync) work(ctx context.Context) {
	for {
		act, ok, freed := e.next(ctx)
		e.release(ctx, freed)
		if ok {
			e.send(ctx, act)
		} else if len(freed) == 0 {
			return
		}
	}
}

// next waits for a file that may be sent now, and claims its content and
// remote path (ok); freed are folders whose last file it took, whose
// check the caller sets off. Neither once e stops.
func (e *earlySync) next(ctx context.Context) (act domain.SyncAction, ok bool, freed []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		for e.queue.Len() > 0 && !e.done {
			e.gather()
			f := heap.Pop(&e.queue).(domain.LibraryFile)
			dir := path.Dir(domain.UploadPath(e.x.set, f.Path))
			e.inClaim[dir]++
			act, ok := e.claim(ctx, f)
			e.inClaim[dir]--
			if e.pending != nil {
				// The index is done: the folder's last file known may be
				// this one.
				if e.pending[dir]--; e.pending[dir] <= 0 && e.tokens[dir] {
					delete(e.tokens, dir)
					freed = append(freed, dir)
				}
			}
			if ok || len(freed) > 0 {
				return act, ok, freed
			}
		}
		if e.done || e.closed {
			return domain.SyncAction{}, false, nil
		}
		e.cond.Wait()
	}
}

// claim decides on a file taken from the queue and, when it goes now,
// claims its content and remote path. e.mu is held; it is let go while
// the server is asked for its free space.
func (e *earlySync) claim(ctx context.Context, f domain.LibraryFile) (domain.SyncAction, bool) {
	act, ok := e.decide(f)
	if !ok {
		return act, false
	}
	if !e.ev.quotaAsked {
		// One PROPFIND, asked by the first file, without holding up the
		// index.
		e.mu.Unlock()
		e.quota.Do(func() { e.askQuota(ctx) })
		e.mu.Lock()
		if e.done {
			return act, false
		}
	}
	if !e.fits(act.Size) {
		e.x.log.DebugContext(ctx, "sync: a file does not fit in the server's free space; the plan decides", "path", f.Path)
		e.done, e.queue = true, earlyQueue{}
		e.cond.Broadcast()
		return act, false
	}
	e.ev.claimed[foldPath(act.RemotePath)] = true
	e.ev.sums[f.SHA1] = true
	e.expect(act.RemotePath)
	e.x.p.AddTotal(1, act.Size)
	return act, true
}

// decide answers the upload of a file just read, when it may go now (see
// earlySync). e.mu is held.
func (e *earlySync) decide(f domain.LibraryFile) (domain.SyncAction, bool) {
	ev := &e.ev
	if f.Problem != "" || f.SHA1 == "" || f.Size <= 0 || f.Missing ||
		ev.pairedL[domain.NFC(f.Path)] || ev.failedL[f.Path] || ev.sizes[f.Size] || ev.sums[f.SHA1] {
		return domain.SyncAction{}, false
	}
	rp := domain.UploadPath(ev.set, f.Path)
	if ev.claimed[foldPath(rp)] {
		return domain.SyncAction{}, false
	}
	// The planner names the file against the remote entries and pairs of
	// its name (compared as the server does): only they can take it, and
	// a file they push to a numbered name waits for the plan. The rest
	// of the folder cannot change this answer, so a file costs the same
	// in a folder of ten thousand.
	k := foldPath(rp)
	plan := domain.PlanSync(domain.SyncInput{Settings: ev.set, Local: []domain.LibraryFile{f},
		Remote: ev.entries[k], Pairs: ev.pathPairs[k], Now: e.x.clock.Now()})
	for _, act := range plan.Actions {
		if act.LocalPath == f.Path && act.Op == domain.OpUpload && act.RemotePath == rp && act.Reason == "" {
			return act, true
		}
	}
	return domain.SyncAction{}, false
}

// askQuota asks the server once for the sync folder's free space. A
// server that cannot tell stops early sending: the plan asks again, and
// says why.
func (e *earlySync) askQuota(ctx context.Context) {
	free, known, err := freeSpace(ctx, e.x.st, e.x.a.SyncFolder)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ev.quotaAsked = true
	e.ev.free, e.ev.limited = free, known
	if err != nil {
		e.done, e.queue = true, earlyQueue{}
		e.cond.Broadcast()
	}
}

// fits reports whether size more bytes fit in the sync folder's free
// space, counting the files sent early before. e.mu is held.
func (e *earlySync) fits(size int64) bool {
	ev := &e.ev
	if !ev.limited {
		return true
	}
	if size > ev.free {
		return false
	}
	ev.free -= size
	return true
}

// send sends one file as the plan's upload of a new file does: counted
// and recorded (pair, or failure) as the plan's would be.
func (e *earlySync) send(ctx context.Context, act domain.SyncAction) {
	x := e.x
	var err error
	if err = x.mkdir(ctx, path.Dir(act.RemotePath)); err != nil {
		err = e.verify.gaveUp(ctx, act.RemotePath, err)
	} else {
		err = x.sender.putChecked(ctx, e.verify, sendItem{f: act.Local, path: act.RemotePath, fresh: true},
			func(ctx context.Context, rf domain.RemoteFile, sum string, err error) {
				if err != nil {
					e.settle(ctx, act, err)
					return
				}
				pair := x.pairOf(act.Local, act.RemotePath, rf, sum)
				e.mu.Lock()
				e.files = append(e.files, rf)
				e.pairs = append(e.pairs, pair)
				e.sent++
				e.bytes += pair.Size
				e.mu.Unlock()
				x.led.succeeded(ctx, act, moved{up: 1, bytesUp: pair.Size}, pair)
			})
	}
	if err != nil {
		e.settle(ctx, act, err)
	}
}

// settle counts a file whose send failed, as the plan would: failed, with
// its failure recorded, and left out of the plan of this run (see left);
// an error that stops the run stops early sending with it.
func (e *earlySync) settle(ctx context.Context, act domain.SyncAction, err error) {
	if serr := e.x.settle(ctx, act, err); serr != nil {
		e.stop(serr)
		return
	}
	e.mu.Lock()
	e.failed = append(e.failed, act.LocalPath)
	e.mu.Unlock()
}

// finish ends early sending once the index is done (or failed): the
// files read are sent (or, when early sending stopped, left to the plan),
// then every send is checked. It returns the error that stops the run, if
// any.
func (e *earlySync) finish(ctx context.Context, indexed bool) error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	e.closed = true
	if !indexed {
		e.done, e.queue = true, earlyQueue{}
	}
	e.cond.Broadcast()
	// The files queued are the last: a folder none of them goes to is
	// complete, and is checked once its files are sent; the others once
	// their last queued file is taken (see next).
	var freed []string
	if !e.done && e.tokens != nil {
		e.pending = map[string]int{}
		for _, f := range e.queue.files {
			e.pending[path.Dir(domain.UploadPath(e.x.set, f.Path))]++
		}
		for dir, n := range e.inClaim {
			e.pending[dir] += n
		}
		for dir := range e.tokens {
			if e.pending[dir] == 0 {
				delete(e.tokens, dir)
				freed = append(freed, dir)
			}
		}
	}
	e.mu.Unlock()
	e.release(ctx, freed)
	e.workers.Wait()
	e.mu.Lock()
	v, unwake := e.verify, e.unwake
	e.mu.Unlock()
	if unwake != nil {
		unwake()
	}
	if v != nil {
		// The folders' last batches: see expect.
		if err := v.flush(ctx); err != nil {
			e.stop(err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// A file whose send failed is not tried again in this run: the plan
	// leaves it (see left), and its failure record, saved with the run's
	// records, must not be taken for a stale one.
	e.x.led.mu.Lock()
	for _, lp := range e.failed {
		delete(e.x.led.failures, failureKey{domain.SyncUp, lp})
	}
	e.x.led.mu.Unlock()
	if e.sent > 0 {
		e.x.log.InfoContext(ctx, "sync: files sent while the library was read", "account", e.x.a.ID, "files", e.sent, "bytes", e.bytes)
	}
	return e.err
}

// into adds what the sends made to the listing and the pairs the plan is
// made with, and returns the listing.
func (e *earlySync) into(pr *prepared, listing []domain.RemoteFile) []domain.RemoteFile {
	if e == nil || len(e.pairs) == 0 {
		return listing
	}
	pr.pairs = append(pr.pairs[:len(pr.pairs):len(pr.pairs)], e.pairs...)
	return append(listing, e.files...)
}

// left returns the plan's actions but those of the files whose send
// failed before the plan: each file is tried once a run.
func (e *earlySync) left(acts []domain.SyncAction) []domain.SyncAction {
	if e == nil || len(e.failed) == 0 {
		return acts
	}
	failed := make(map[string]bool, len(e.failed))
	for _, lp := range e.failed {
		failed[lp] = true
	}
	return slices.DeleteFunc(acts, func(a domain.SyncAction) bool {
		return a.Direction == domain.SyncUp && failed[a.LocalPath]
	})
}

// foldPath is a remote path as the server compares names: NFC, any case.
func foldPath(p string) string {
	return strings.ToLower(domain.NFC(p))
}

// expect tells the verifier that one more file is meant to be sent to
// p. Files come as the index reads them, so a folder's batch is checked
// once it is large enough (see verifier.take), and its last one once the
// index is done and the folder's files are sent: until then the folder's
// first file holds one more place open (a token, see release). e.mu is
// held.
func (e *earlySync) expect(p string) {
	v, dir := e.verify, path.Dir(p)
	v.mu.Lock()
	defer v.mu.Unlock()
	if e.tokens != nil && !e.tokens[dir] {
		e.tokens[dir] = true
		v.left[dir]++
	}
	v.left[dir]++
	v.total[dir]++
}

// release gives back the tokens of folders whose last file is known: a
// folder whose files were all sent is checked now, the others when their
// last file is, by its sender.
func (e *earlySync) release(ctx context.Context, tokens []string) {
	v := e.verify
	if v == nil || len(tokens) == 0 {
		return
	}
	var dirs []string
	var batches [][]sentFile
	v.mu.Lock()
	for _, dir := range tokens {
		if b := v.take(dir, true); len(b) > 0 {
			dirs, batches = append(dirs, dir), append(batches, b)
		}
	}
	v.mu.Unlock()
	// Listings are small answers that wait on the server: twice the
	// transfers at once, as the walk does.
	err := runParallel(ctx, 2*e.x.cfg.Parallel, len(dirs), func(ctx context.Context, i int) error {
		return v.check(ctx, dirs[i], batches[i])
	})
	if err != nil {
		e.stop(err)
	}
}

// earlyQueue holds the files the index read and no early sender took yet,
// the largest first (a heap by size; of the same size, the first read
// first). When the index reads faster than the files go, senders take the
// large files first and the run ends with small ones: the last uploads,
// and the read-backs that prove them on a server without hashes, are
// short (with the index's order, a first backup ended with both 50 MB
// videos of the bench, sent and then read back after every other file:
// 2 s of a 7.6 s backup through a link of 100 MB/s, issue 22). A file
// read when a sender is idle goes at once, as before.
type earlyQueue struct {
	files []domain.LibraryFile
	order []int64 // when each was read
	next  int64
}

func (q earlyQueue) Len() int { return len(q.files) }

func (q earlyQueue) Less(i, j int) bool {
	if q.files[i].Size != q.files[j].Size {
		return q.files[i].Size > q.files[j].Size
	}
	return q.order[i] < q.order[j]
}

func (q earlyQueue) Swap(i, j int) {
	q.files[i], q.files[j] = q.files[j], q.files[i]
	q.order[i], q.order[j] = q.order[j], q.order[i]
}

func (q *earlyQueue) Push(x any) {
	q.files = append(q.files, x.(domain.LibraryFile))
	q.order = append(q.order, q.next)
	q.next++
}

func (q *earlyQueue) Pop() any {
	n := len(q.files) - 1
	f := q.files[n]
	q.files[n] = domain.LibraryFile{}
	q.files, q.order = q.files[:n], q.order[:n]
	return f
}
