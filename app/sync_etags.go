package app

import (
	"slices"
	"strconv"
	"strings"

	"github.com/photosync/photosync/domain"
)

// etagVerdict is what a sync knows of whether an account's server
// propagates folder ETags (a change anywhere below a folder changes the
// folder's ETag), which lets a walk skip the folders whose ETag has not
// changed. It is learnt, never assumed: from two complete listings with
// PropagatesETags. While it holds, every fullWalkEvery-th run lists
// everything anyway, since skipping folders can confirm the verdict but
// never refute it.
//
// It is remembered with the folders, in the ETag of the sync folder's own
// entry, which a walk leaves empty (the sync folder's parent is not
// listed): "photosync:etags=yes;N" (N runs since the last full walk) or
// "photosync:etags=no".
type etagVerdict struct {
	known      bool
	propagates bool
	since      int // trusted runs since the last full walk
}

// fullWalkEvery bounds the runs that trust folder ETags in a row.
const fullWalkEvery = 24

const (
	etagVerdictYes = "photosync:etags=yes;"
	etagVerdictNo  = "photosync:etags=no"
)

// verdictOf reads the verdict remembered with folders.
func verdictOf(folders []domain.RemoteFolder, root string) etagVerdict {
	for _, f := range folders {
		if f.Path != root {
			continue
		}
		if f.ETag == etagVerdictNo {
			return etagVerdict{known: true}
		}
		if n, ok := strings.CutPrefix(f.ETag, etagVerdictYes); ok {
			since, err := strconv.Atoi(n)
			if err == nil && since >= 0 {
				return etagVerdict{known: true, propagates: true, since: since}
			}
		}
	}
	return etagVerdict{}
}

// trust reports whether this run's walk may skip folders by their ETag.
func (v etagVerdict) trust() bool {
	return v.known && v.propagates && v.since < fullWalkEvery
}

// judgeETags returns the verdict after a walk that went from the
// remembered folders prev to cur.
func judgeETags(prev, cur []domain.RemoteFolder, root string) etagVerdict {
	old := verdictOf(prev, root)
	next := old
	if old.trust() {
		next.since++
	} else {
		next.since = 0 // this walk listed everything
	}
	if len(prev) == 0 {
		return etagVerdict{}
	}
	// The sync folder's remembered ETag is the verdict, not the server's:
	// it cannot tell whether the folder's ETag changed.
	prev = slices.Clone(prev)
	for i := range prev {
		if prev[i].Path == root && strings.HasPrefix(prev[i].ETag, "photosync:") {
			prev[i].ETag = ""
		}
	}
	switch propagates, known := PropagatesETags(prev, cur); {
	case known && !propagates:
		return etagVerdict{known: true}
	case known:
		return etagVerdict{known: true, propagates: true, since: next.since}
	}
	return next
}

// mark returns folders with the verdict written into the sync folder's
// entry, to be remembered.
func (v etagVerdict) mark(folders []domain.RemoteFolder, root string) []domain.RemoteFolder {
	if !v.known {
		return folders
	}
	tag := etagVerdictNo
	if v.propagates {
		tag = etagVerdictYes + strconv.Itoa(v.since)
	}
	out := make([]domain.RemoteFolder, len(folders))
	copy(out, folders)
	for i := range out {
		if out[i].Path == root {
			out[i].ETag = tag
		}
	}
	return out
}

// trustETags reports whether this run's walk may skip the folders whose
// ETag has not changed since the remembered walk prev. Nextcloud (and
// ownCloud, which photosync opens as Nextcloud) always propagates folder
// ETags (a change anywhere below a folder gives it a new ETag, kept in its
// file cache): there is nothing to learn, so from the second run on they
// are trusted, and a run with nothing changed lists only the sync folder.
// Other servers are trusted once the verdict was learnt (etagVerdict).
func trustETags(a domain.Account, prev []domain.RemoteFolder) bool {
	if a.Type == domain.TypeNextcloud {
		return len(prev) > 0
	}
	return verdictOf(prev, a.SyncFolder).trust()
}
