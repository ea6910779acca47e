package app

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// DefaultWalkParallel is how many folders WalkRemote lists at once when
// the caller does not say.
const DefaultWalkParallel = 4

// WalkStats counts what a remote walk did.
type WalkStats struct {
	Listed int // folders listed, one PROPFIND Depth: 1 each
	Reused int // folders taken from the previous listing, not listed
}

// WalkRemote lists every file below root (hidden folders, whose files
// never sync, are not entered), one folder at a time with
// st.List (PROPFIND Depth: 1; never deeper, which servers refuse or time
// out on), parallel folders at once (DefaultWalkParallel when below 1).
// It first asks for root itself with st.Stat (Depth: 0) for its ETag.
//
// With trustETags, a folder whose ETag (root's own, or a subfolder's in
// its parent's listing) equals the one remembered in prev is not listed:
// its subtree is taken from prev, all of it or (when prev lacks part of
// it) none. An unchanged tree then costs one request. That is only right
// on a server that propagates folder ETags (a change anywhere below a
// folder changes the folder's ETag): decide it with PropagatesETags, never
// assume it. An empty ETag is never trusted.
//
// It returns the files (folders left out) and the folders, both ordered by
// path; each folder carries its ETag as it was seen before its listing
// (so a change during the walk shows as a changed ETag next time) and its
// direct children, to be remembered for the next walk. A folder that
// vanishes between its parent's listing and its own is left out. Any other
// failure stops the walk and is returned, with no partial result: a sync
// must not take files it did not see for deleted.
func WalkRemote(ctx context.Context, st ports.RemoteStorage, root string, prev []domain.RemoteFolder, trustETags bool, parallel int) (files []domain.RemoteFile, folders []domain.RemoteFolder, stats WalkStats, err error) {
	root, err = domain.CleanRemotePath(root)
	if err != nil {
		return nil, nil, WalkStats{}, err
	}
	if parallel < 1 {
		parallel = DefaultWalkParallel
	}
	w := &walk{prev: make(map[string]domain.RemoteFolder, len(prev)), seen: map[string]bool{}, trust: trustETags}
	for _, f := range prev {
		w.prev[f.Path] = f
	}
	// The top folder's own ETag, from a PROPFIND Depth: 0: the whole tree
	// is unchanged when it is, on a server that propagates.
	top, err := st.Stat(ctx, root)
	if err != nil {
		return nil, nil, WalkStats{}, fmt.Errorf("list %s: %w", root, err)
	}
	if !top.IsDir {
		return nil, nil, WalkStats{}, domain.RemoteErrorf(domain.EINVALID, "%s is a file, not a folder", root)
	}
	w.seen[root] = true
	if !(w.trust && top.ETag != "" && w.reuse(root, top.ETag)) {
		if err := w.run(ctx, st, folderJob{path: root, etag: top.ETag}, parallel); err != nil {
			return nil, nil, WalkStats{}, err
		}
	}
	slices.SortFunc(w.files, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(w.folders, func(a, b domain.RemoteFolder) int { return strings.Compare(a.Path, b.Path) })
	return w.files, w.folders, w.stats, nil
}

// walk is the state of one WalkRemote, owned by its coordinating
// goroutine; the listing goroutines only call st.List and send back.
type walk struct {
	prev    map[string]domain.RemoteFolder
	trust   bool
	seen    map[string]bool // folders listed, queued or reused
	files   []domain.RemoteFile
	folders []domain.RemoteFolder
	stats   WalkStats
}

// folderJob is a folder to list, with the ETag its parent's listing gave.
type folderJob struct {
	path, etag string
}

type listing struct {
	folderJob
	entries []domain.RemoteFile
	err     error
}

// run lists the folder root and the folders below it, at most parallel at
// a time.
func (w *walk) run(ctx context.Context, st ports.RemoteStorage, root folderJob, parallel int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan listing, parallel)
	queue := []folderJob{root}
	running := 0
	var firstErr error
	for len(queue) > 0 || running > 0 {
		for firstErr == nil && running < parallel && len(queue) > 0 {
			job := queue[0]
			queue = queue[1:]
			running++
			go func() {
				entries, err := st.List(ctx, job.path)
				results <- listing{folderJob: job, entries: entries, err: err}
			}()
		}
		if running == 0 {
			break // stopped by an error with folders still queued
		}
		r := <-results
		running--
		if firstErr != nil {
			continue // draining after an error
		}
		if r.err != nil {
			if r.path != root.path && domain.ErrorCode(r.err) == domain.ENOTFOUND {
				continue // deleted since its parent was listed
			}
			firstErr = fmt.Errorf("list %s: %w", r.path, r.err)
			cancel()
			continue
		}
		w.stats.Listed++
		queue = append(queue, w.add(r)...)
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// add takes in one folder's listing and returns the subfolders to list.
func (w *walk) add(r listing) []folderJob {
	folder := domain.RemoteFolder{Path: r.path, ETag: r.etag}
	var next []folderJob
	for _, e := range r.entries {
		// Only direct children, once: a confused server cannot send the
		// walk elsewhere or round in circles.
		if e.Path == r.path || path.Dir(e.Path) != r.path || w.seen[e.Path] {
			continue
		}
		folder.Files = append(folder.Files, e)
		if !e.IsDir {
			w.files = append(w.files, e)
			continue
		}
		w.seen[e.Path] = true
		if strings.HasPrefix(e.Name, ".") || strings.HasPrefix(path.Base(e.Path), ".") {
			// A hidden folder (the .photosync-versions of replaced
			// copies, a client's own): nothing in it is ever synced, so
			// it is not walked.
			continue
		}
		if w.trust && e.ETag != "" && w.reuse(e.Path, e.ETag) {
			continue
		}
		next = append(next, folderJob{path: e.Path, etag: e.ETag})
	}
	slices.SortFunc(folder.Files, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) })
	w.folders = append(w.folders, folder)
	return next
}

// reuse takes the subtree at dir from the previous listing when dir's
// ETag is the remembered one and the previous listing has the whole
// subtree. It reports whether it did.
func (w *walk) reuse(dir, etag string) bool {
	top, ok := w.prev[dir]
	if !ok || top.ETag != etag {
		return false
	}
	var subtree []domain.RemoteFolder
	pending := []domain.RemoteFolder{top}
	for len(pending) > 0 {
		f := pending[0]
		pending = pending[1:]
		subtree = append(subtree, f)
		for _, c := range f.Files {
			if !c.IsDir {
				continue
			}
			sub, ok := w.prev[c.Path]
			if !ok || path.Dir(c.Path) != f.Path {
				return false
			}
			pending = append(pending, sub)
		}
	}
	for _, f := range subtree {
		w.seen[f.Path] = true
		// The entries are prev's, shared: nothing changes a listing
		// once made, and a copy would double the memory of a large tree.
		w.folders = append(w.folders, f)
		for _, c := range f.Files {
			if !c.IsDir {
				w.files = append(w.files, c)
			}
		}
	}
	w.stats.Reused += len(subtree)
	return true
}

// PropagatesETags tells from two complete walks of the same tree whether
// the server propagates folder ETags, i.e. whether a change anywhere below
// a folder changes the folder's ETag.
//
// A folder whose direct children changed between prev and cur (a file or
// folder appeared or went, or its ETag or size changed) is evidence: on a
// propagating server its ETag and every ancestor's up to the walk's top
// folder changed too. One such folder with an unchanged (or no) ETag on
// that path means the server does not propagate. A changed ETag of the
// folder itself is not enough to say it does: servers that derive a
// folder's ETag from its modification time change it when a file is added
// directly in it, and only there. So a positive verdict needs a change in a
// folder below the top, whose parent's ETag changed as well. known is
// false when there is no evidence either way.
func PropagatesETags(prev, cur []domain.RemoteFolder) (verdict bool, known bool) {
	before := make(map[string]domain.RemoteFolder, len(prev))
	for _, f := range prev {
		before[f.Path] = f
	}
	after := make(map[string]domain.RemoteFolder, len(cur))
	for _, f := range cur {
		after[f.Path] = f
	}
	positive := false
	for _, f := range cur {
		old, ok := before[f.Path]
		if !ok || !childrenChanged(old, f) {
			continue
		}
		for p := f.Path; ; p = path.Dir(p) {
			b, ok := before[p]
			if ok && b.ETag == "" && p != f.Path {
				break // its ETag then is unknown: no evidence from here up
			}
			if a := after[p]; !ok || a.ETag == "" || sameETag(a.ETag, b.ETag) {
				return false, true
			}
			if p != f.Path {
				positive = true // an ancestor's ETag changed with a change below it
			}
			if isTop(p, after) {
				break
			}
		}
	}
	return positive, positive
}

// sameETag reports whether two ETags name the same version, weak or
// strong: Apache answers W/"x" for a folder changed within the last second
// and "x" after, which is no change and must not pass for propagation.
func sameETag(a, b string) bool {
	return strings.TrimPrefix(a, "W/") == strings.TrimPrefix(b, "W/")
}

// isTop reports whether p is the top folder of a walk: its parent was not
// listed.
func isTop(p string, folders map[string]domain.RemoteFolder) bool {
	if p == "/" {
		return true
	}
	_, ok := folders[path.Dir(p)]
	return !ok
}

// childrenChanged reports whether a folder's direct children differ.
func childrenChanged(prev, cur domain.RemoteFolder) bool {
	if len(prev.Files) != len(cur.Files) {
		return true
	}
	old := make(map[string]domain.RemoteFile, len(prev.Files))
	for _, f := range prev.Files {
		old[f.Path] = f
	}
	for _, f := range cur.Files {
		o, ok := old[f.Path]
		if !ok || o.IsDir != f.IsDir || o.ETag != f.ETag || (!f.IsDir && o.Size != f.Size) ||
			(o.ETag == "" && !f.IsDir && !o.ModTime.Equal(f.ModTime)) {
			return true
		}
	}
	return false
}
