package domain

import "fmt"

// The mass-change guard: a run that would replace many paired files at
// once (a server restored from an old backup, a library disk swapped,
// ransomware) waits for a person to confirm before it replaces any.

// Default of the guard: a run may replace MinGuardedChanges paired files,
// or GuardedShare of the pairs when that is more, before it waits.
const (
	MinGuardedChanges = 50
	GuardedShare      = 10 // percent
)

// ReplacementLimit answers how many paired files one run may replace
// before it waits for confirmation: configured when it is above 0, else
// 50 files or 10% of the pairs, whichever is larger.
func ReplacementLimit(pairs, configured int) int {
	if configured > 0 {
		return configured
	}
	return max(MinGuardedChanges, pairs*GuardedShare/100)
}

// Replaces reports whether an action replaces a paired file on one side
// or the other.
func (a SyncAction) Replaces() bool {
	switch a.Op {
	case OpUpdateLocal, OpUploadAgain, OpKeepBoth:
		return true
	}
	return false
}

// Moves reports whether an action transfers bytes.
func (a SyncAction) Moves() bool {
	switch a.Op {
	case OpDownload, OpUpdateLocal, OpUploadAgain, OpUpload, OpKeepBoth:
		return true
	}
	return false
}

// PlanSummary counts what a plan does, for a person deciding on it.
type PlanSummary struct {
	Downloads, Uploads            int // new files each way
	LocalReplaced, RemoteReplaced int // paired files replaced in the library, on the server
	Conflicts                     int // changed on both sides: both kept
	Skipped                       int
	BytesDown, BytesUp            int64
}

// Summary counts the plan's actions.
func (p SyncPlan) Summary() PlanSummary {
	var s PlanSummary
	for _, a := range p.Actions {
		switch a.Op {
		case OpDownload:
			s.Downloads++
			s.BytesDown += a.Size
		case OpUpload:
			s.Uploads++
			s.BytesUp += a.Size
		case OpUpdateLocal:
			s.LocalReplaced++
			s.BytesDown += a.Size
		case OpUploadAgain:
			s.RemoteReplaced++
			s.BytesUp += a.Size
		case OpKeepBoth:
			s.Conflicts++
			s.BytesDown += a.Remote.Size
			s.BytesUp += a.Local.Size
		case OpSkip:
			s.Skipped++
		}
	}
	return s
}

// Replacements is how many paired files the plan replaces.
func (s PlanSummary) Replacements() int { return s.LocalReplaced + s.RemoteReplaced + s.Conflicts }

// String says the summary in words.
func (s PlanSummary) String() string {
	return fmt.Sprintf("%d to download, %d to upload, %d to replace in the library, %d to replace on the server, %d changed on both sides",
		s.Downloads, s.Uploads, s.LocalReplaced, s.RemoteReplaced, s.Conflicts)
}

// Hold turns the actions that keep returns true for into skips with the
// reason, and returns the plan and how many were held.
func (p SyncPlan) Hold(keep func(SyncAction) bool, reason string) (SyncPlan, int) {
	out := SyncPlan{Actions: make([]SyncAction, len(p.Actions))}
	n := 0
	for i, a := range p.Actions {
		if keep(a) {
			a = skipOf(a, reason)
			n++
		}
		out.Actions[i] = a
	}
	return out, n
}
