package jsonview

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// SyncAction is one step of a sync plan, as a dry run answers it.
// local_path is empty for a download whose name comes from its content
// (names not preserved); conflict_path is where a keep_both saves the
// server's version.
type SyncAction struct {
	Op           string `json:"op"`
	Direction    string `json:"direction"`
	LocalPath    string `json:"local_path"`
	RemotePath   string `json:"remote_path"`
	ConflictPath string `json:"conflict_path,omitempty"`
	Size         int64  `json:"size"`
	Reason       string `json:"reason"`
}

// FromSyncPlan returns the JSON view of a plan's actions, an empty list
// for none.
func FromSyncPlan(p domain.SyncPlan) []SyncAction {
	out := make([]SyncAction, 0, len(p.Actions))
	for _, a := range p.Actions {
		out = append(out, SyncAction{
			Op: string(a.Op), Direction: string(a.Direction), LocalPath: a.LocalPath, RemotePath: a.RemotePath,
			ConflictPath: a.ConflictPath, Size: a.Size, Reason: a.Reason,
		})
	}
	return out
}

// SyncRun is one run of an account's sync. finished_at is null while it
// runs (or when it was killed); complete says it listed and handled
// everything.
type SyncRun struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	JobID      int64      `json:"job_id"`
	DryRun     bool       `json:"dry_run"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Downloaded int        `json:"downloaded"`
	Uploaded   int        `json:"uploaded"`
	BytesDown  int64      `json:"bytes_down"`
	BytesUp    int64      `json:"bytes_up"`
	Skipped    int        `json:"skipped"`
	Failed     int        `json:"failed"`
	Errors     []JobError `json:"errors"`
	Error      string     `json:"error"`
	Complete   bool       `json:"complete"`
}

// FromSyncRuns returns the JSON views of runs, an empty list for none.
func FromSyncRuns(runs []domain.SyncRun) []SyncRun {
	out := make([]SyncRun, 0, len(runs))
	for _, r := range runs {
		v := SyncRun{
			ID: r.ID, AccountID: r.AccountID, JobID: r.JobID, DryRun: r.DryRun,
			StartedAt: r.StartedAt.UTC(), FinishedAt: jobTime(r.FinishedAt),
			Downloaded: r.Downloaded, Uploaded: r.Uploaded, BytesDown: r.BytesDown, BytesUp: r.BytesUp,
			Skipped: r.Skipped, Failed: r.Failed, Errors: make([]JobError, 0, len(r.Errors)),
			Error: r.Error, Complete: r.Complete,
		}
		for _, e := range r.Errors {
			v.Errors = append(v.Errors, JobError(e))
		}
		out = append(out, v)
	}
	return out
}

// SyncFile is a file whose sync failed: waiting for its next attempt, or
// failed for good (failed true) until a person retries it.
type SyncFile struct {
	Direction     string     `json:"direction"`
	LocalPath     string     `json:"local_path"`
	RemotePath    string     `json:"remote_path"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	Failed        bool       `json:"failed"`
}

// FromSyncFailures returns the JSON views of failures, an empty list for
// none.
func FromSyncFailures(fs []domain.SyncFailure) []SyncFile {
	out := make([]SyncFile, 0, len(fs))
	for _, f := range fs {
		out = append(out, SyncFile{
			Direction: string(f.Direction), LocalPath: f.LocalPath, RemotePath: f.RemotePath,
			Attempts: f.Attempts, LastError: f.LastError, LastAttemptAt: jobTime(f.LastAttemptAt),
			NextAttemptAt: jobTime(f.NextAttemptAt), Failed: f.Failed,
		})
	}
	return out
}

// DeletedFile is a synced file deleted on one side, which a sync does not
// copy back until it is restored: deleted_in is "library" or "server".
type DeletedFile struct {
	LocalPath  string `json:"local_path"`
	RemotePath string `json:"remote_path"`
	DeletedIn  string `json:"deleted_in"`
}

// FromDeletedPairs returns the JSON views of pairs with a deletion, an
// empty list for none.
func FromDeletedPairs(pairs []domain.SyncPair) []DeletedFile {
	out := make([]DeletedFile, 0, len(pairs))
	for _, p := range pairs {
		in := "server"
		if p.LocalDeleted {
			in = "library"
		}
		out = append(out, DeletedFile{LocalPath: p.LocalPath, RemotePath: p.RemotePath, DeletedIn: in})
	}
	return out
}
