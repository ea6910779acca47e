package domain

import (
	"cmp"
	"path"
	"slices"
	"strings"
	"time"
)

// Proof of backup: for every library file an account backs up, whether
// its content is proven to be on the server, and since when.

// Jobs of the proof of backup.
const (
	JobVerify  JobKind = "verify"  // the scrub of an account's server, and its repair
	JobRestore JobKind = "restore" // files brought back from an account's server
)

// BackupState is where one library file stands in an account's backup.
type BackupState string

// Backup states, best first.
const (
	// BackupVerified: the content on the server is proven to be the
	// library's (a hash the server computed of what it stored, or our
	// hash of the bytes read back).
	BackupVerified BackupState = "verified"
	// BackupUnverified: on the server by name and size; its content is
	// not proven yet (the next verify proves it).
	BackupUnverified BackupState = "unverified"
	// BackupPending: not on the server yet.
	BackupPending BackupState = "pending"
	// BackupFailed: sending it failed, or a verify found the server's
	// copy missing, truncated or changed; Reason says which.
	BackupFailed BackupState = "failed"
	// BackupExcluded: not backed up by this account: its kind is
	// switched off, or the library file has a problem.
	BackupExcluded BackupState = "excluded"
)

// BackupStates lists the states in the order they are shown.
var BackupStates = []BackupState{BackupVerified, BackupUnverified, BackupPending, BackupFailed, BackupExcluded}

// ProofMethod is how a remote file's content was proven.
type ProofMethod string

// Proof methods.
const (
	// ProofServerHash: the server computed the hash of what it stored
	// (Nextcloud's X-Hash-SHA1 answer to a PUT).
	ProofServerHash ProofMethod = "server_hash"
	// ProofReadBack: photosync read the file back and hashed it.
	ProofReadBack ProofMethod = "read_back"
)

// What a verify can find wrong with a remote file, the start of
// Proof.Problem (a detail may follow).
const (
	GapMissing   = "missing on the server"
	GapTruncated = "truncated on the server"
	GapChanged   = "changed on the server"
)

// Proof is what is known of one remote file's content: the SHA-1 last
// proven, how and when, and what the last verify found.
type Proof struct {
	AccountID  int64
	RemotePath string // clean
	Size       int64  // bytes proven (or, unproven, expected)
	SHA1       string // lower-case hex of the proven content; "" when never proven
	Method     ProofMethod
	ProvenAt   time.Time // zero when never proven
	// CheckedAt is when a verify last found the file present with its
	// size (the cheap check of every run).
	CheckedAt time.Time
	// Problem is what the last verify found wrong (GapMissing, ...,
	// with detail), "" when nothing.
	Problem string
}

// Validate checks a proof before it is stored.
func (p Proof) Validate() error {
	switch {
	case p.AccountID <= 0:
		return Errorf(EINVALID, "proof: account id must be positive")
	case !IsRemoteFilePath(p.RemotePath):
		return Errorf(EINVALID, "proof: remote path %q is not a clean file path", p.RemotePath)
	case p.Size < 0:
		return Errorf(EINVALID, "proof: size must not be negative")
	}
	switch p.Method {
	case "", ProofServerHash, ProofReadBack:
	default:
		return Errorf(EINVALID, "proof: method %q: use server_hash or read_back", p.Method)
	}
	if (p.SHA1 == "") != p.ProvenAt.IsZero() || (p.SHA1 == "") != (p.Method == "") {
		return Errorf(EINVALID, "proof: a proven SHA-1 needs its method and time, and the reverse")
	}
	if p.SHA1 != "" && !isHexSHA1(p.SHA1) {
		return Errorf(EINVALID, "proof: SHA-1 %q is not 40 lower-case hex digits", p.SHA1)
	}
	return nil
}

func isHexSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Proven reports whether the proof shows content sum on the server now:
// proven with that SHA-1 and found sound by the last verify.
func (p Proof) Proven(sum string) bool {
	return p.SHA1 != "" && p.Problem == "" && strings.EqualFold(p.SHA1, sum)
}

// BackupFile is one library file's place in an account's backup.
type BackupFile struct {
	FileID     int64
	Path       string // library path
	RemotePath string // where it is (or goes) on the server; "" when unknown
	Size       int64
	SHA1       string // the library file's
	Year       int    // taken (else modified); 0 when unknown
	State      BackupState
	Reason     string      // why it is pending, failed or excluded
	ProvenAt   time.Time   // verified: when
	Method     ProofMethod // verified: how
	Manual     bool        // backed up by a manual upload rather than the sync
}

// BackupCount is the number of files in each state of one year or folder.
type BackupCount struct {
	Year       int    // for ByYear
	Folder     string // for ByFolder ("" is the library root)
	Verified   int
	Unverified int
	Pending    int
	Failed     int
	Excluded   int
}

// Add counts one file.
func (c *BackupCount) Add(s BackupState) {
	switch s {
	case BackupVerified:
		c.Verified++
	case BackupUnverified:
		c.Unverified++
	case BackupPending:
		c.Pending++
	case BackupFailed:
		c.Failed++
	case BackupExcluded:
		c.Excluded++
	}
}

// BackupStatus is an account's backup at a glance.
type BackupStatus struct {
	AccountID int64
	BackupCount
	// Files counts the files backed up (every state but excluded).
	Files int
	// Bytes is the size of those files.
	Bytes int64
	// LastVerifiedAt is the newest proof of a verified file,
	// OldestVerifiedAt the oldest (how long ago everything verified was
	// last proven); zero when none.
	LastVerifiedAt   time.Time
	OldestVerifiedAt time.Time
	ByYear           []BackupCount // by year taken, oldest first
	ByFolder         []BackupCount // by library folder, sorted
	// Every file, sorted by library path; Gaps are those pending or failed.
	All []BackupFile
}

// Gaps returns the files pending or failed, sorted by path.
func (s BackupStatus) Gaps() []BackupFile {
	var gaps []BackupFile
	for _, f := range s.All {
		if f.State == BackupPending || f.State == BackupFailed {
			gaps = append(gaps, f)
		}
	}
	return gaps
}

// Coverage is the share of the files backed up whose content is
// verified, from 0 to 1 (1 for none).
func (s BackupStatus) Coverage() float64 {
	if s.Files == 0 {
		return 1
	}
	return float64(s.Verified) / float64(s.Files)
}

// BackupInput is what the backup status is computed from: what the
// stores hold of one account.
type BackupInput struct {
	Settings SyncSettings // the account's sync: with Upload, its folder backs up the library
	Library  []LibraryFile
	Pairs    []SyncPair
	Failures []SyncFailure
	Uploads  []UploadRecord // the account's manual uploads
	Proofs   []Proof
}

// Reasons of the backup states.
const (
	reasonKindOff        = "its kind is switched off for this account"
	reasonNotSent        = "not uploaded yet"
	reasonChangedLocally = "changed in the library since it was uploaded"
	reasonGoneRemote     = "deleted on the server; uploaded again only when restored"
)

// ComputeBackup decides the state of every library file the account backs
// up: with the sync's Upload on, every present library file the sync
// would send (its kind wanted, as the planner decides) and the excluded
// ones (a kind switched off, a problem); and every present file of a
// manual upload. A file that is both takes the better of its states.
//
// A file with a pair in the sync folder is verified when a proof holds
// its SHA-1 and the last verify found nothing wrong, failed when the last
// verify found the server's copy missing, truncated or changed,
// unverified otherwise; pending when the library copy changed since. A
// file with no pair is failed when sending it failed (the failure's
// error), else pending. A manual upload is judged the same way from its
// record, whose SHA-1 (of the bytes sent) the proof must hold.
func ComputeBackup(in BackupInput) BackupStatus {
	st := BackupStatus{AccountID: in.Settings.AccountID}
	proofs := make(map[string]Proof, len(in.Proofs))
	for _, p := range in.Proofs {
		proofs[p.RemotePath] = p
	}
	files := map[int64]*BackupFile{}
	put := func(f BackupFile) {
		if old, ok := files[f.FileID]; ok && stateRank(old.State) <= stateRank(f.State) {
			return
		}
		files[f.FileID] = &f
	}
	byID := map[int64]LibraryFile{}
	for _, f := range in.Library {
		if !f.Missing {
			byID[f.ID] = f
		}
	}
	if in.Settings.Upload {
		p := newPlanner(SyncInput{Settings: in.Settings, Local: in.Library, Pairs: in.Pairs})
		pairs := map[string]SyncPair{}
		for _, pr := range p.pairs {
			pairs[NFC(pr.LocalPath)] = pr
		}
		failures := map[string]SyncFailure{}
		for _, f := range in.Failures {
			if f.Direction == SyncUp {
				failures[f.LocalPath] = f
			}
		}
		for lp, l := range p.local {
			if Ignored(lp) || KindOf(lp) == KindNone || isConflictCopy(lp) {
				continue
			}
			bf := backupFile(*l)
			bf.RemotePath = UploadPath(in.Settings, lp)
			switch pr, paired := pairs[NFC(lp)]; {
			case blockingProblem(*l) != "":
				bf.State, bf.Reason = BackupExcluded, "the library file has a problem: "+blockingProblem(*l)
			case !p.wantL[lp]:
				bf.State, bf.Reason = BackupExcluded, reasonKindOff
			case paired && pr.RemoteDeleted:
				bf.RemotePath = pr.RemotePath
				bf.State, bf.Reason = BackupFailed, reasonGoneRemote
			case paired:
				bf.RemotePath = pr.RemotePath
				sum := pr.SHA1
				if sum == "" && pr.Size == l.Size {
					sum = l.SHA1 // a pair recorded without a SHA-1: the library's, same size
				}
				judge(&bf, proofs[pr.RemotePath], sum, pr.Size, l.SHA1 != "" && pr.SHA1 != "" && !strings.EqualFold(l.SHA1, pr.SHA1))
			default:
				bf.State, bf.Reason = BackupPending, reasonNotSent
				if f, ok := failures[lp]; ok && f.Attempts > 0 {
					bf.State, bf.Reason = BackupFailed, f.LastError
				}
			}
			put(bf)
		}
	}
	for _, r := range in.Uploads {
		l, ok := byID[r.FileID]
		if !ok || r.AccountID != in.Settings.AccountID {
			continue
		}
		bf := backupFile(l)
		bf.RemotePath, bf.Manual = r.RemotePath, true
		judge(&bf, proofs[r.RemotePath], r.SHA1, r.Size, r.SourceSHA1 != "" && l.SHA1 != "" && !strings.EqualFold(r.SourceSHA1, l.SHA1))
		put(bf)
	}

	years := map[int]*BackupCount{}
	folders := map[string]*BackupCount{}
	st.All = make([]BackupFile, 0, len(files))
	for _, f := range files {
		st.All = append(st.All, *f)
		st.Add(f.State)
		if f.State != BackupExcluded {
			st.Files++
			st.Bytes += f.Size
		}
		if f.State == BackupVerified {
			if f.ProvenAt.After(st.LastVerifiedAt) {
				st.LastVerifiedAt = f.ProvenAt
			}
			if st.OldestVerifiedAt.IsZero() || f.ProvenAt.Before(st.OldestVerifiedAt) {
				st.OldestVerifiedAt = f.ProvenAt
			}
		}
		y := years[f.Year]
		if y == nil {
			y = &BackupCount{Year: f.Year}
			years[f.Year] = y
		}
		y.Add(f.State)
		dir := path.Dir(f.Path)
		if dir == "." {
			dir = ""
		}
		d := folders[dir]
		if d == nil {
			d = &BackupCount{Folder: dir}
			folders[dir] = d
		}
		d.Add(f.State)
	}
	slices.SortFunc(st.All, func(a, b BackupFile) int { return cmp.Compare(a.Path, b.Path) })
	for _, y := range years {
		st.ByYear = append(st.ByYear, *y)
	}
	slices.SortFunc(st.ByYear, func(a, b BackupCount) int { return cmp.Compare(a.Year, b.Year) })
	for _, d := range folders {
		st.ByFolder = append(st.ByFolder, *d)
	}
	slices.SortFunc(st.ByFolder, func(a, b BackupCount) int { return cmp.Compare(a.Folder, b.Folder) })
	return st
}

// judge sets the state of a file that was sent (a pair or an upload
// record holding sum and size) from the proof of its remote path.
func judge(bf *BackupFile, p Proof, sum string, size int64, changedLocally bool) {
	switch {
	case p.Problem != "":
		bf.State, bf.Reason = BackupFailed, p.Problem
	case changedLocally:
		bf.State, bf.Reason = BackupPending, reasonChangedLocally
	case sum != "" && p.Proven(sum) && (p.Size == size || size == 0):
		bf.State, bf.ProvenAt, bf.Method = BackupVerified, p.ProvenAt, p.Method
	default:
		bf.State = BackupUnverified
	}
}

func backupFile(l LibraryFile) BackupFile {
	year := 0
	switch {
	case !l.TakenAt.IsZero():
		year = l.TakenAt.UTC().Year()
	case !l.ModTime.IsZero():
		year = l.ModTime.UTC().Year()
	}
	return BackupFile{FileID: l.ID, Path: l.Path, Size: l.Size, SHA1: l.SHA1, Year: year}
}

func stateRank(s BackupState) int {
	return slices.Index(BackupStates, s)
}
