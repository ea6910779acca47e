package domain

import "time"

// JobKind is what a job does.
type JobKind string

// Job kinds.
const (
	JobIndex  JobKind = "index"
	JobUpload JobKind = "upload"
	JobSync   JobKind = "sync"
)

// JobState is where a job stands.
type JobState string

// Job states. A job ends in one of the last four.
const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobDone      JobState = "done"      // every file succeeded or was skipped
	JobPartial   JobState = "partial"   // finished, some files failed
	JobFailed    JobState = "failed"    // stopped by an error
	JobCancelled JobState = "cancelled" // stopped by a person
)

// Ended reports whether the state is final.
func (s JobState) Ended() bool {
	return s == JobDone || s == JobPartial || s == JobFailed || s == JobCancelled
}

// MaxJobErrors is how many file errors a job keeps; the count goes on.
const MaxJobErrors = 100

// JobError is one file that failed, with the cause in words.
type JobError struct {
	Path    string
	Message string
}

// Job is one run of an index, upload or sync, with its progress.
type Job struct {
	ID         int64
	Kind       JobKind
	AccountID  int64 // 0 for an index
	State      JobState
	FilesTotal int
	FilesDone  int // finished, whatever the outcome
	BytesTotal int64
	BytesDone  int64 // of files the server confirmed, for an upload
	// BytesSent are bytes an upload handed to the server whose files it
	// has not confirmed yet (while they are checked: "verifying"). Live
	// progress only: a job ends with none, and stores do not keep them.
	BytesSent  int64
	Uploaded   int
	Downloaded int
	Skipped    int
	Failed     int
	Errors     []JobError // the first MaxJobErrors
	Error      string     // why the job failed, when it did
	// Link is the public link an upload made to its folder when asked
	// for one; LinkError says why it could not be made.
	Link       string
	LinkError  string
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time

	// IndexFilesTotal and the three others are the library index a sync
	// runs first: the files it found and has looked at, the bytes of the
	// new and changed files it reads and has read. A sync sends files
	// while its index still reads (see app's earlySync), so a job shows
	// both. Live progress only, as BytesSent: zero for other jobs, and
	// stores do not keep them.
	IndexFilesTotal, IndexFilesDone int
	IndexBytesTotal, IndexBytesDone int64
}

// JobFilter selects jobs; zero fields match all.
type JobFilter struct {
	AccountID int64
	Kind      JobKind
	Limit     int // newest first; 0 means DefaultJobLimit
}

// DefaultJobLimit is how many jobs a listing returns by default.
const DefaultJobLimit = 50
