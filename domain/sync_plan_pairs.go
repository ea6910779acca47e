package domain

import "strings"

// Reasons the planner gives, in words.
const (
	reasonGoneBoth      = "gone on both sides"
	reasonDeletedLocal  = "deleted in the library: not downloaded again unless restored"
	reasonDeletedRemote = "deleted on the server: not uploaded again unless restored"
	reasonRestored      = "restored"
	reasonLinked        = "the same file is on both sides"
	reasonConflictDown  = "changed on both sides: the server's version is saved beside the library's"
	reasonConflictUp    = "changed on both sides: the library's version is saved beside the server's"
	reasonConflictPair  = "changed on both sides: the pair moves to the library's version saved beside the server's"
	reasonTruncated     = "replaces the truncated copy an interrupted upload left"
)

// planPair plans a file that has a pair in the sync folder.
func (p *planner) planPair(pr SyncPair) {
	r, rOK := p.remoteFile(pr.RemotePath)
	l, lOK := p.localFile(pr.LocalPath)
	a := SyncAction{LocalPath: pr.LocalPath, RemotePath: pr.RemotePath, Remote: r, Local: l}
	if !rOK && !lOK {
		a.Op, a.Reason = OpForget, reasonGoneBoth
		p.actions = append(p.actions, a)
		return
	}
	if !(rOK && p.wantR[r.Path] || lOK && p.wantL[l.Path]) {
		return
	}
	restore := pr.SyncedAt.IsZero()
	switch {
	case !lOK:
		switch {
		case pr.LocalDeleted:
		case !restore:
			a.Op, a.Direction, a.Reason = OpRememberDeletion, SyncDown, reasonDeletedLocal
			p.actions = append(p.actions, a)
		case !p.s.Download:
		case checkLibraryPath(pr.LocalPath) != nil:
			a.Op, a.Direction, a.Reason = OpSkip, SyncDown, "unsafe library path: "+ErrorMessage(checkLibraryPath(pr.LocalPath))
			p.actions = append(p.actions, a)
		default:
			a.Op, a.Direction, a.Size, a.Reason = OpDownload, SyncDown, r.Size, reasonRestored
			p.add(a)
		}
	case !rOK:
		switch {
		case pr.RemoteDeleted:
		case !restore:
			a.Op, a.Direction, a.Reason = OpRememberDeletion, SyncUp, reasonDeletedRemote
			p.actions = append(p.actions, a)
		case !p.s.Upload:
		case blockingProblem(l) != "":
			p.actions = append(p.actions, problemSkip(a, SyncUp))
		default:
			a.Op, a.Direction, a.Size, a.Reason = OpUpload, SyncUp, l.Size, reasonRestored
			p.add(a)
		}
	default:
		p.planChange(pr, a)
	}
}

// planChange plans a pair whose file is on both sides.
func (p *planner) planChange(pr SyncPair, a SyncAction) {
	r, l := a.Remote, a.Local
	rc, lc := remoteChanged(pr, r), localChanged(pr, l)
	switch {
	case !rc && !lc:
	case blockingProblem(l) != "":
		dir := SyncDown
		if lc {
			dir = SyncUp
		}
		p.actions = append(p.actions, problemSkip(a, dir))
	case !lc:
		if p.s.Download {
			a.Op, a.Direction, a.Size = OpUpdateLocal, SyncDown, r.Size
			p.add(a)
		}
	case !rc:
		if p.s.Upload {
			a.Op, a.Direction, a.Size = OpUploadAgain, SyncUp, l.Size
			p.add(a)
		}
	case p.s.Download && p.s.Upload:
		a.Op, a.Direction, a.Size = OpKeepBoth, SyncDown, r.Size+l.Size
		a.ConflictPath = ConflictName(l.Path, p.now)
		p.add(a)
	case p.s.Download:
		a.Op, a.Direction, a.Size, a.Reason = OpDownload, SyncDown, r.Size, reasonConflictDown
		a.LocalPath = ConflictName(l.Path, p.now)
		p.add(a)
	case p.s.Upload:
		up := a
		up.Op, up.Direction, up.Size, up.Reason = OpUpload, SyncUp, l.Size, reasonConflictUp
		up.RemotePath, up.Remote = ConflictName(r.Path, p.now), RemoteFile{}
		n := len(p.actions)
		p.add(up)
		if p.actions[n].Op != OpSkip {
			a.Op, a.Reason = OpForget, reasonConflictPair
			p.actions = append(p.actions, a)
		}
	}
}

// remoteChanged reports whether the remote file differs from its pair.
func remoteChanged(pr SyncPair, r RemoteFile) bool {
	if r.Size != pr.Size {
		return true
	}
	if sum := r.Checksum.SHA1(); sum != "" && pr.SHA1 != "" {
		return !strings.EqualFold(sum, pr.SHA1)
	}
	if e, pe := normETag(r.ETag), normETag(pr.ETag); e != "" && pe != "" {
		return e != pe
	}
	return r.ModTime.Unix() != pr.RemoteModTime.Unix()
}

// localChanged reports whether the library file differs from its pair.
func localChanged(pr SyncPair, l LibraryFile) bool {
	if l.Size != pr.Size {
		return true
	}
	if l.SHA1 != "" && pr.SHA1 != "" {
		return !strings.EqualFold(l.SHA1, pr.SHA1)
	}
	return l.ModTime.Unix() != pr.LocalModTime.Unix()
}

// sameFile reports whether an unpaired remote file and library file hold
// the same content: same size and the same SHA-1 of their bytes, the
// server's (or one the app read back) against the index's. Sizes and
// times alone never make two files one: two cameras name files alike, and
// a copy keeps its time.
func sameFile(r RemoteFile, l LibraryFile) bool {
	if r.Size != l.Size || l.SHA1 == "" {
		return false
	}
	sum := r.Checksum.SHA1()
	return sum != "" && strings.EqualFold(sum, l.SHA1)
}

// blockingProblem returns a library file's problem when it keeps the file
// from being sent; an orphan sidecar is no such problem, the planner
// stacks files itself.
func blockingProblem(f LibraryFile) string {
	if strings.HasPrefix(f.Problem, ProblemOrphan) {
		return ""
	}
	return f.Problem
}

func problemSkip(a SyncAction, dir SyncDirection) SyncAction {
	a.Op, a.Direction = OpSkip, dir
	a.Reason = "the library file has a problem (" + blockingProblem(a.Local) + "): not synced until it is fixed"
	return a
}
