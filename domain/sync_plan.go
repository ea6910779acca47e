package domain

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// The sync planner: what one run of an account's sync does.
//
// Which files move. A file moves when its kind is wanted: images always,
// RAW files with Raw, videos with Video; hidden, partial and temporary
// files and files of no known kind never (see Ignored, applied to the
// library path and to the remote path below the sync folder). A sidecar
// follows its photo: it moves when its stack on the same side (Stack's
// rules: same folder and stem, edited copies joining their original) holds
// a file that moves for its own kind. For a pair, the stack on either side
// counts. Library files with a problem (other than being an orphan
// sidecar, which the stacking here decides again) never move and anchor no
// sidecar; a pair whose library file has one is skipped with the problem as
// its reason while either side changed. Conflict copies (names
// made by ConflictName) are never transferred as new files, either way.
//
// Pairs. A pair is the memory that a file is the same on both sides. Only
// pairs whose remote path is below the current sync folder take part: the
// pairs of an earlier sync folder are left as they are (a changed folder
// is synced like a new one), but their library paths are never given to a
// new download. For each pair:
//   - gone on both sides: forgotten (OpForget);
//   - gone on one side: the deletion is remembered (OpRememberDeletion), never
//     propagated; the file is not copied back while the flag is set and the
//     file is still gone. A flag is inert while its file is present again
//     (a library disk mounted again, a listing complete again): the pair is
//     then compared as usual, so a wrong flag heals by itself;
//   - restored: a pair with no flag and a zero SyncedAt ("not synced yet")
//     whose file is on one side only is copied to the other side, at the
//     pair's own paths. The restore use case clears the flag and zeroes
//     SyncedAt; executors always set SyncedAt when they record a pair;
//   - on both sides: the remote side changed when its size differs, else its
//     SHA-1 when both it and the pair have one, else its ETag (quotes and
//     W/ ignored) when both have one, else its modification time to the
//     second. The library side changed when its size differs, else its SHA-1
//     when both have one, else its modification time to the second.
//     Remote changed only: OpUpdateLocal (with Download). Library changed
//     only: OpUploadAgain (with Upload). Both: see OpKeepBoth below.
//
// New files. A remote file with no pair whose counterpart in the library
// (the library path equal to its path below the sync folder, then, with
// preserved names, its download path) is an unpaired file with the same
// content (same size and the same SHA-1 of the bytes: the server's, or
// one the app read back before planning; sizes and times alone never
// link) is linked (OpLink), not moved.
// Then, with Download, every other wanted remote file is downloaded:
// with preserved names to DownloadPath, given " (1)", " (2)", ... as
// PlanNames does when the name is taken in that library folder (by a
// present file or a pair's library path; compared case-insensitively) by
// other content, and linked when the name holds the same content; with
// normalised names LocalPath is "" and the executor names the file. With
// Upload, every wanted library file with no pair in the sync folder goes to
// UploadPath, numbered the same way against the remote listing and the
// pairs. A library file inside the download folder with no pair for this
// account is uploaded like any other: it may come from another account;
// one that came down from this account has its pair and never goes back.
// A remote file in SyncInput.Truncated is left out of the listing when
// its library file uploads to its path: that upload replaces it.
//
// Failures. A transfer whose file has a failure (downloads matched by
// remote path, uploads by library path, keep_both by either) is skipped
// when the failure is Failed or its NextAttemptAt is after now.
//
// Order. First the actions that move no bytes (link, forget, remember a
// deletion), then downloads, local updates and keep_both, then uploads;
// skips sit in the phase of their direction. Within a phase actions are
// sorted by remote path (library path for uploads).
//
// What the executor does per action. It never overwrites a file it was not
// told to replace, and records a pair (SyncedAt set, flags clear) with the
// size, both modification times, the ETag the server reports after the
// transfer and the SHA-1, after each transfer that succeeds. An action's
// Size is the bytes it moves (both ways for keep_both, none for the rest).
//   - OpDownload: writes Remote to LocalPath, which must not exist (a
//     temporary file beside it, checked, synced, renamed without replacing);
//     with LocalPath "" it names the file <download folder>/NormalizedName
//     (date taken from EXIF, else Remote.ModTime) and, when a file with the
//     same SHA-1 is already there, records the pair without writing. The pair
//     recorded is (RemotePath, the library path written), replacing any pair
//     at RemotePath. An OpUpload whose library path got a pair earlier in
//     the same run is dropped: the download found the file already there.
//   - OpUpload: sends Local to RemotePath and records (RemotePath, LocalPath).
//     With Truncated, RemotePath holds Remote, a truncated copy of Local
//     (SyncInput.Truncated): the executor removes it first, when it is
//     still as listed (else the file waits for the next run).
//   - OpUpdateLocal / OpUploadAgain: replace the other side's copy, after
//     checking that the side being replaced still matches the pair.
//   - OpKeepBoth (both directions on; Direction down): downloads Remote to
//     ConflictPath (a new library file), then, only if that succeeded, uploads
//     Local over RemotePath and records (RemotePath, LocalPath) with the
//     library version. The conflict copy stays in the library, unpaired and,
//     being a conflict copy, not uploaded. With Download only, both changed
//     is an OpDownload of Remote to ConflictName(LocalPath): the pair
//     follows the conflict copy and the library's version stays unpaired.
//     With Upload only, it is an OpForget of the pair and an OpUpload of
//     Local to ConflictName(RemotePath): the server's version stays unpaired.
//   - OpLink: records the pair (RemotePath, LocalPath) from Remote and Local.
//   - OpRememberDeletion: sets LocalDeleted on the pair at RemotePath when
//     Direction is down (the library file is gone: no download), RemoteDeleted
//     when it is up (the remote file is gone: no upload).
//   - OpForget: removes the pair at RemotePath.
//   - OpSkip: nothing; it is counted as skipped with its Reason.

// PlanSync decides what one sync run does. Pure: same input, same plan,
// whatever the order of the input's slices. in.Remote must be the complete
// listing of the sync folder and in.Local the whole library index, fresh:
// a file missing from either is taken for deleted (the deletion is only
// remembered, and the flag heals when the file shows up again, see above).
func PlanSync(in SyncInput) SyncPlan {
	p := newPlanner(in)
	for _, pr := range p.pairs {
		p.planPair(pr)
	}
	p.planLinks()
	if p.s.Download {
		p.planDownloads()
	}
	if p.s.Upload {
		p.planUploads()
	}
	slices.SortFunc(p.actions, compareActions)
	return SyncPlan{Actions: p.actions}
}

// planner holds one planning's indexes and the actions planned so far.
type planner struct {
	s   SyncSettings
	now time.Time

	all []*RemoteFile // every entry of the listing by path, once, for names taken
	// undecided are the remote paths left out of the plan (see
	// SyncInput.Undecided): their names are still taken.
	undecided map[string]string
	remote    map[string]*RemoteFile  // files safely below the sync folder, by path (in the input)
	local     map[string]*LibraryFile // present library files, by path (in the input, never changed)
	nfc       map[string]*LibraryFile // present library files whose path is not in NFC, by its NFC form
	wantR     map[string]bool         // remote paths that move
	wantL     map[string]bool         // library paths that move

	pairs     []SyncPair      // pairs in the sync folder, by remote path
	reservedL map[string]bool // library paths of every pair
	reservedR map[string]bool // remote paths of every pair
	claimedR  map[string]bool // remote paths paired or handled in this plan
	claimedL  map[string]bool // library paths paired or handled in this plan

	failures  map[failureKey]SyncFailure
	uploaded  map[string]UploadedCopy
	truncated map[string]truncatedCopy // by remote path: left out of the listing, replaced by its upload
	actions   []SyncAction
}

// truncatedCopy is a remote file that holds the start of the library
// file at lp (see SyncInput.Truncated).
type truncatedCopy struct {
	r  RemoteFile
	lp string
}

type failureKey struct {
	dir  SyncDirection
	path string // remote path for down, library path for up
}

func newPlanner(in SyncInput) *planner {
	in.Remote, in.Local = leaveOut(in.Remote, in.Local, in.Undecided)
	p := &planner{
		s: in.Settings, now: in.Now,
		remote:    make(map[string]*RemoteFile, len(in.Remote)),
		local:     make(map[string]*LibraryFile, len(in.Local)),
		reservedL: make(map[string]bool, len(in.Pairs)), reservedR: make(map[string]bool, len(in.Pairs)),
		claimedR: make(map[string]bool, len(in.Pairs)), claimedL: make(map[string]bool, len(in.Pairs)),
		failures: map[failureKey]SyncFailure{},
		uploaded: in.Uploaded, undecided: in.Undecided,
	}
	p.indexRemote(in.Remote)
	p.indexLocal(in.Local)
	p.indexPairs(in.Pairs)
	p.indexTruncated(in.Truncated)
	for _, f := range in.Failures {
		k := failureKey{f.Direction, f.RemotePath}
		if f.Direction == SyncUp {
			k.path = f.LocalPath
		}
		if old, ok := p.failures[k]; !ok || worseFailure(f, old) {
			p.failures[k] = f
		}
	}
	return p
}

// leaveOut answers the listing and the index without the files of
// undecided (see SyncInput.Undecided), remote paths and library paths.
func leaveOut(remote []RemoteFile, local []LibraryFile, undecided map[string]string) ([]RemoteFile, []LibraryFile) {
	if len(undecided) == 0 {
		return remote, local
	}
	lps := make(map[string]bool, len(undecided))
	for _, lp := range undecided {
		lps[lp] = true
	}
	remote = slices.DeleteFunc(slices.Clone(remote), func(r RemoteFile) bool { _, ok := undecided[r.Path]; return ok })
	local = slices.DeleteFunc(slices.Clone(local), func(l LibraryFile) bool { return lps[l.Path] })
	return remote, local
}

func (p *planner) indexRemote(listing []RemoteFile) {
	// Sorted by path, for a plan that does not depend on the listing's
	// order; the structs are large, so their places are sorted.
	order := make([]int32, len(listing))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compareRemote(&listing[a], &listing[b]) })
	// The listing is the caller's: the planner points into it, never
	// changing it.
	p.all = make([]*RemoteFile, 0, len(listing))
	files := make([]kindedPath, 0, len(listing))
	for i, at := range order {
		r := &listing[at]
		if i > 0 && listing[order[i-1]].Path == r.Path {
			continue
		}
		p.all = append(p.all, r)
		if r.IsDir {
			continue
		}
		rel, err := relBelow(p.s.Folder, r.Path)
		if err != nil {
			if p.s.Download && p.hostileWanted(r.Path) {
				p.actions = append(p.actions, SyncAction{Op: OpSkip, Direction: SyncDown, RemotePath: r.Path,
					Remote: *r, Reason: "unsafe remote name: " + ErrorMessage(err), Unmovable: true})
			}
			continue
		}
		p.remote[r.Path] = r
		if !Ignored(rel) {
			files = append(files, kindedPath{r.Path, KindOf(r.Path)})
		}
	}
	p.wantR = p.moving(files)
}

// hostileWanted reports whether a remote file refused for its path would
// have been downloaded for its name, so that its skip is worth telling.
func (p *planner) hostileWanted(remotePath string) bool {
	base := remotePath[strings.LastIndex(remotePath, "/")+1:]
	k := KindOf(base)
	return !Ignored(base) && (k == KindImage || k == KindSidecar || p.kindMoves(k))
}

func (p *planner) indexLocal(index []LibraryFile) {
	for i := range index {
		f := &index[i]
		if f.Missing {
			continue
		}
		if old, ok := p.local[f.Path]; ok && compareLocal(*old, *f) <= 0 {
			continue
		}
		p.local[f.Path] = f
	}
	for path, f := range p.local {
		if n := NFC(path); n != path {
			if p.nfc == nil {
				p.nfc = map[string]*LibraryFile{}
			}
			if _, exact := p.local[n]; !exact {
				p.nfc[n] = f
			}
		}
	}
	files := make([]kindedPath, 0, len(p.local))
	for path, f := range p.local {
		if !Ignored(path) && blockingProblem(*f) == "" {
			files = append(files, kindedPath{path, KindOf(path)})
		}
	}
	p.wantL = p.moving(files)
}

func (p *planner) indexPairs(pairs []SyncPair) {
	order := make([]int32, len(pairs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(strings.Compare(pairs[a].RemotePath, pairs[b].RemotePath), strings.Compare(pairs[a].LocalPath, pairs[b].LocalPath))
	})
	p.pairs = make([]SyncPair, 0, len(pairs))
	for i, at := range order {
		pr := pairs[at]
		p.reservedL[pr.LocalPath], p.reservedR[pr.RemotePath] = true, true
		if i > 0 && pairs[order[i-1]].RemotePath == pr.RemotePath {
			continue
		}
		if _, err := relBelow(p.s.Folder, pr.RemotePath); err != nil {
			continue
		}
		p.pairs = append(p.pairs, pr)
		p.claimedR[pr.RemotePath], p.claimedL[pr.LocalPath] = true, true
	}
}

// indexTruncated takes the truncated copies that the upload of their
// library file will replace out of the listing: an unpaired remote file,
// shorter than the present, unpaired library file that uploads to its
// path. Evidence about other files is left aside: they are planned as
// they are listed.
func (p *planner) indexTruncated(truncated map[string]string) {
	for rp, lp := range truncated {
		r, ok := p.remote[rp]
		if !ok || p.reservedR[rp] || !p.s.Upload {
			continue
		}
		l, ok := p.local[lp]
		if !ok || p.reservedL[lp] || !p.wantL[lp] || blockingProblem(*l) != "" || r.Size >= l.Size || UploadPath(p.s, lp) != rp {
			continue
		}
		if p.truncated == nil {
			p.truncated = map[string]truncatedCopy{}
		}
		p.truncated[rp] = truncatedCopy{r: *r, lp: lp}
		delete(p.remote, rp)
	}
}

// remoteFile answers the remote file at rp, below the sync folder.
func (p *planner) remoteFile(rp string) (RemoteFile, bool) {
	if r, ok := p.remote[rp]; ok {
		return *r, true
	}
	return RemoteFile{}, false
}

// remotePaths answers the paths of the remote files below the sync
// folder, sorted.
func (p *planner) remotePaths() []string {
	paths := make([]string, 0, len(p.remote))
	for _, r := range p.all {
		if p.remote[r.Path] == r {
			paths = append(paths, r.Path)
		}
	}
	return paths
}

// relOf answers a remote path below the sync folder relative to it.
func (p *planner) relOf(rp string) string {
	rel, _ := relBelow(p.s.Folder, rp) // checked when indexed
	return rel
}

// localFile answers the present library file at lp.
// A path found only in another normalisation (the library holds it in
// NFD, the server in NFC) answers that file, under its own path.
func (p *planner) localFile(lp string) (LibraryFile, bool) {
	if l, ok := p.local[lp]; ok {
		return *l, true
	}
	if l, ok := p.nfc[NFC(lp)]; ok {
		return *l, true
	}
	return LibraryFile{}, false
}

// kindMoves reports whether files of a kind move for their own sake.
func (p *planner) kindMoves(k Kind) bool {
	switch k {
	case KindImage:
		return true
	case KindRaw:
		return p.s.Raw
	case KindVideo:
		return p.s.Video
	}
	return false
}

// kindedPath is a path with its kind, what moving looks at.
type kindedPath struct {
	Path string
	Kind Kind
}

// moving returns the paths among files that move: by kind, and sidecars
// with their photo. It finds what Stack would group without stacking:
// a sidecar moves when a file of its stack moves for its own sake, an
// Apple edited copy's stack counting as its original's when that exists.
// The files have no problem (see indexLocal and indexRemote).
func (p *planner) moving(files []kindedPath) map[string]bool {
	want := make(map[string]bool, len(files))
	keys := make([]string, len(files))
	stacks := make(map[string]bool, len(files)) // every stack's key
	for i, f := range files {
		folder := path.Dir(f.Path)
		if folder == "." {
			folder = ""
		}
		keys[i] = PhotoKey(folder, nameStem(f.Path))
		stacks[keys[i]] = true
	}
	// joined answers the key of the stack a file ends in: its original's
	// for an edited copy whose original has a stack.
	joined := func(key string) string {
		i := strings.LastIndexByte(key, '/')
		if orig, ok := editedOf(key[i+1:]); ok && stacks[key[:i+1]+orig] {
			return key[:i+1] + orig
		}
		return key
	}
	anchored := map[string]bool{}
	for i, f := range files {
		if f.Kind != KindSidecar && p.kindMoves(f.Kind) {
			want[f.Path] = true
			anchored[joined(keys[i])] = true
		}
	}
	for i, f := range files {
		if f.Kind == KindSidecar && anchored[joined(keys[i])] {
			want[f.Path] = true
		}
	}
	return want
}

// add appends a transfer, or its skip when a failure holds it back.
func (p *planner) add(a SyncAction) {
	keys := []failureKey{{SyncDown, a.RemotePath}, {SyncUp, a.LocalPath}}
	switch a.Op {
	case OpDownload, OpUpdateLocal:
		keys = keys[:1]
	case OpUpload, OpUploadAgain:
		keys = keys[1:]
	}
	for _, k := range keys {
		f, ok := p.failures[k]
		switch {
		case !ok:
			continue
		case f.Failed:
			a = skipOf(a, fmt.Sprintf("failed %d times: %s — retry it by hand", f.Attempts, f.LastError))
		case f.NextAttemptAt.After(p.now):
			a = skipOf(a, "next try after "+f.NextAttemptAt.UTC().Format(time.RFC3339))
		default:
			continue
		}
		break
	}
	p.actions = append(p.actions, a)
}

// skipOf turns a planned action into a skip with a reason.
func skipOf(a SyncAction, reason string) SyncAction {
	return SyncAction{Op: OpSkip, Direction: a.Direction, LocalPath: a.LocalPath, RemotePath: a.RemotePath,
		Remote: a.Remote, Local: a.Local, Reason: reason}
}

// worseFailure reports whether a holds a file back longer than b.
func worseFailure(a, b SyncFailure) bool {
	if a.Failed != b.Failed {
		return a.Failed
	}
	return a.NextAttemptAt.After(b.NextAttemptAt)
}

// compareActions orders a plan: phase, then the path that names the
// action in its phase, then everything else, so that the order is total.
func compareActions(a, b SyncAction) int {
	ka, kb := a.RemotePath, b.RemotePath
	oa, ob := a.LocalPath, b.LocalPath
	if phase(a) == 2 {
		ka, oa = oa, ka
	}
	if phase(b) == 2 {
		kb, ob = ob, kb
	}
	return cmp.Or(cmp.Compare(phase(a), phase(b)), strings.Compare(ka, kb), strings.Compare(oa, ob),
		strings.Compare(string(a.Op), string(b.Op)), strings.Compare(a.ConflictPath, b.ConflictPath),
		strings.Compare(a.Reason, b.Reason))
}

// phase is 0 for actions that move no bytes, 1 for downloads, 2 for uploads.
func phase(a SyncAction) int {
	switch a.Op {
	case OpLink, OpForget, OpRememberDeletion:
		return 0
	case OpDownload, OpUpdateLocal, OpKeepBoth:
		return 1
	case OpUpload, OpUploadAgain:
		return 2
	}
	if a.Direction == SyncUp {
		return 2
	}
	return 1
}

func compareRemote(a, b *RemoteFile) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(btoi(a.IsDir), btoi(b.IsDir)),
		cmp.Compare(a.Size, b.Size), a.ModTime.Compare(b.ModTime), strings.Compare(a.ETag, b.ETag),
		a.Checksum.Compare(b.Checksum), strings.Compare(a.Name, b.Name))
}

// compareLocal orders two index entries of one path: the one kept comes first.
func compareLocal(a, b LibraryFile) int {
	return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Size, b.Size), a.ModTime.Compare(b.ModTime),
		strings.Compare(a.SHA1, b.SHA1), strings.Compare(a.Problem, b.Problem))
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
