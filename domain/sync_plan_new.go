package domain

import (
	"cmp"
	"path"
	"slices"
	"strings"
)

// planLinks pairs unpaired remote files with the unpaired library file of
// the same content that is their counterpart: the library path equal to
// the path below the sync folder (a file uploaded by a run that stopped
// before recording it, or a library laid out like the server), then, with
// preserved names, the download path (a file downloaded by such a run).
func (p *planner) planLinks() {
	if !p.s.Download && !p.s.Upload {
		return
	}
	for _, rp := range p.remotePaths() {
		if p.claimedR[rp] {
			continue
		}
		cands := []string{p.relOf(rp)}
		if p.s.PreserveNames {
			if t, err := DownloadPath(p.s, rp); err == nil && t != cands[0] {
				cands = append(cands, t)
			}
		}
		if u, ok := p.uploaded[rp]; ok && !u.Resized {
			cands = append(cands, u.LocalPath)
		}
		r, _ := p.remoteFile(rp)
		for _, lp := range cands {
			l, ok := p.localFile(lp)
			if ok && p.linkable(l.Path) && (p.wantR[rp] || p.wantL[l.Path]) && sameFile(r, l) {
				p.link(r, l)
				break
			}
		}
	}
}

// linkable reports whether a present library file may be linked to a
// remote file: it has no pair and no problem.
func (p *planner) linkable(lp string) bool {
	l, ok := p.local[lp]
	return ok && !p.claimedL[lp] && blockingProblem(*l) == ""
}

func (p *planner) link(r RemoteFile, l LibraryFile) {
	p.claimedR[r.Path], p.claimedL[l.Path] = true, true
	p.actions = append(p.actions, SyncAction{Op: OpLink, LocalPath: l.Path, RemotePath: r.Path,
		Remote: r, Local: l, Reason: reasonLinked})
}

// planDownloads plans the wanted remote files that have no pair.
func (p *planner) planDownloads() {
	byDir := map[string][]RemoteFile{}
	for _, rp := range p.remotePaths() {
		r, _ := p.remoteFile(rp)
		if p.claimedR[rp] || !p.wantR[rp] || isConflictCopy(rp) {
			continue
		}
		a := SyncAction{Op: OpDownload, Direction: SyncDown, RemotePath: rp, Remote: r, Size: r.Size}
		if _, ok := p.uploaded[rp]; ok {
			// A copy of a library file uploaded by hand (resized, or of a
			// file the sync pairs at another path): it came from the
			// library and never goes back.
			p.claimedR[rp] = true
			continue
		}
		if !p.s.PreserveNames {
			p.claimedR[rp] = true
			p.add(a)
			continue
		}
		t, err := DownloadPath(p.s, rp)
		if err != nil {
			p.actions = append(p.actions, skipOf(a, "no place in the library: "+ErrorMessage(err)))
			continue
		}
		dir := libraryDir(t)
		byDir[dir] = append(byDir[dir], r)
	}
	names := p.localNames()
	for _, dir := range sortedKeys(byDir) {
		files := byDir[dir]
		reqs := make([]NameRequest, len(files))
		for i, r := range files {
			reqs[i] = NameRequest{Name: path.Base(r.Path), Size: r.Size, SHA1: r.Checksum.SHA1()}
		}
		for i, np := range PlanNames(names[dir], reqs) {
			r, lp := files[i], joinLibrary(dir, np.Name)
			if np.Present {
				l, _ := p.localFile(lp)
				p.link(r, l)
				continue
			}
			p.claimedR[r.Path], p.claimedL[lp] = true, true
			p.add(SyncAction{Op: OpDownload, Direction: SyncDown, LocalPath: lp, RemotePath: r.Path, Remote: r, Size: r.Size})
		}
	}
}

// localNames returns the names taken in each library folder: present files
// and the library paths of pairs. Only a file that could be linked carries
// its SHA-1, so that PlanNames finds nothing else Present.
func (p *planner) localNames() map[string][]TakenName {
	names := map[string][]TakenName{}
	add := func(lp string) {
		t := TakenName{Name: path.Base(lp), Size: -1}
		if l, ok := p.localFile(lp); ok && p.linkable(lp) {
			t.Size, t.SHA1 = l.Size, l.SHA1
		}
		dir := libraryDir(lp)
		names[dir] = append(names[dir], t)
	}
	for lp := range p.local {
		add(lp)
	}
	for lp := range p.reservedL {
		if _, ok := p.local[lp]; !ok && lp != "" {
			add(lp)
		}
	}
	sortTaken(names)
	return names
}

// planUploads plans the wanted library files that have no pair.
func (p *planner) planUploads() {
	byDir := map[string][]LibraryFile{}
	for _, lp := range sortedKeys(p.local) {
		l := *p.local[lp]
		// A file kept back by a problem the index found is looked at
		// for its name too: a name no server can take (the library cannot
		// even open a name with a backslash, and calls it unreadable) is
		// said as the cause, for a person to rename the file.
		held := !p.wantL[lp] && blockingProblem(l) != "" && !Ignored(lp) && p.kindMoves(KindOf(lp))
		if p.claimedL[lp] || !p.wantL[lp] && !held || isConflictCopy(lp) {
			continue
		}
		u := UploadPath(p.s, lp)
		if c, err := CleanRemotePath(u); err != nil || c != u {
			msg := "the path is not clean"
			if err != nil {
				msg = ErrorMessage(err)
			}
			p.actions = append(p.actions, SyncAction{Op: OpSkip, Direction: SyncUp, LocalPath: lp, RemotePath: u,
				Local: l, Reason: "the server cannot take this name: " + msg, Unmovable: true})
			continue
		}
		if held || blockingProblem(l) != "" {
			continue
		}
		dir := path.Dir(u)
		byDir[dir] = append(byDir[dir], l)
	}
	if len(byDir) == 0 {
		return
	}
	names := p.remoteNames()
	for _, dir := range sortedKeys(byDir) {
		files := byDir[dir]
		reqs := make([]NameRequest, len(files))
		for i, l := range files {
			reqs[i] = NameRequest{Name: NFC(path.Base(l.Path)), Size: l.Size, SHA1: l.SHA1}
		}
		for i, np := range PlanNames(names[dir], reqs) {
			l, rp := files[i], JoinRemotePath(dir, np.Name)
			if np.Present {
				r, _ := p.remoteFile(rp)
				p.link(r, l)
				continue
			}
			p.claimedR[rp], p.claimedL[l.Path] = true, true
			a := SyncAction{Op: OpUpload, Direction: SyncUp, LocalPath: l.Path, RemotePath: rp, Local: l, Size: l.Size}
			if t, ok := p.truncated[rp]; ok && t.lp == l.Path {
				a.Truncated, a.Remote, a.Reason = true, t.r, reasonTruncated
			}
			p.add(a)
		}
	}
}

// remoteNames returns the names taken in each remote folder: every entry
// of the listing and the remote paths of pairs. Only an unpaired file that
// is not being downloaded carries its SHA-1.
func (p *planner) remoteNames() map[string][]TakenName {
	names := map[string][]TakenName{}
	listed := map[string]bool{}
	for _, r := range p.all {
		if _, ok := p.truncated[r.Path]; ok {
			continue // its file's upload replaces it
		}
		listed[r.Path] = true
		t := TakenName{Name: path.Base(r.Path), IsDir: r.IsDir, Size: -1}
		if _, ok := p.remote[r.Path]; ok && !p.claimedR[r.Path] {
			t.Size, t.SHA1 = r.Size, r.Checksum.SHA1()
		}
		names[path.Dir(r.Path)] = append(names[path.Dir(r.Path)], t)
	}
	for rp := range p.reservedR {
		if !listed[rp] {
			listed[rp] = true
			names[path.Dir(rp)] = append(names[path.Dir(rp)], TakenName{Name: path.Base(rp), Size: -1})
		}
	}
	// A file the run could not read is left out of the plan, not given
	// away: nothing may be sent over it.
	for rp := range p.undecided {
		if !listed[rp] {
			names[path.Dir(rp)] = append(names[path.Dir(rp)], TakenName{Name: path.Base(rp), Size: -1})
		}
	}
	sortTaken(names)
	return names
}

// sortTaken sorts each folder's names, so that PlanNames sees them in one
// order whatever the order of the input.
func sortTaken(names map[string][]TakenName) {
	for _, ts := range names {
		slices.SortFunc(ts, func(a, b TakenName) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(btoi(a.IsDir), btoi(b.IsDir)),
				cmp.Compare(a.Size, b.Size), strings.Compare(a.SHA1, b.SHA1))
		})
	}
}

// libraryDir returns the folder of a library path, "" for the root.
func libraryDir(lp string) string {
	if dir := path.Dir(lp); dir != "." {
		return dir
	}
	return ""
}

// joinLibrary joins a library folder ("" for the root) and a name.
func joinLibrary(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
