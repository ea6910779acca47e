package jsonview

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// Job is a job as the API and the CLI show it. AccountID is null for a
// job of no account (an index); StartedAt and FinishedAt are null until
// the job starts and ends. Errors lists the first domain.MaxJobErrors
// failed files; Failed counts them all.
type Job struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	AccountID  *int64     `json:"account_id"`
	State      string     `json:"state"`
	FilesTotal int        `json:"files_total"`
	FilesDone  int        `json:"files_done"`
	BytesTotal int64      `json:"bytes_total"`
	BytesDone  int64      `json:"bytes_done"`
	BytesSent  int64      `json:"bytes_sent,omitempty"` // an upload's bytes sent, waiting for the server's confirmation
	Uploaded   int        `json:"uploaded"`
	Downloaded int        `json:"downloaded"`
	Skipped    int        `json:"skipped"`
	Failed     int        `json:"failed"`
	Errors     []JobError `json:"errors"`
	Error      string     `json:"error"`
	Link       string     `json:"link,omitempty"`       // an upload's public link to its folder
	LinkError  string     `json:"link_error,omitempty"` // why the link could not be made
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`

	// A sync's index of the library, under way while it sends: files found
	// and looked at, bytes of new and changed files to read and read.
	IndexFilesTotal int   `json:"index_files_total,omitempty"`
	IndexFilesDone  int   `json:"index_files_done,omitempty"`
	IndexBytesTotal int64 `json:"index_bytes_total,omitempty"`
	IndexBytesDone  int64 `json:"index_bytes_done,omitempty"`
}

// JobError is one file of a job that failed, with the cause in words.
type JobError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// FromJob returns the JSON view of a job.
func FromJob(j domain.Job) Job {
	v := Job{
		ID: j.ID, Kind: string(j.Kind), State: string(j.State),
		FilesTotal: j.FilesTotal, FilesDone: j.FilesDone, BytesTotal: j.BytesTotal, BytesDone: j.BytesDone, BytesSent: j.BytesSent,
		IndexFilesTotal: j.IndexFilesTotal, IndexFilesDone: j.IndexFilesDone, IndexBytesTotal: j.IndexBytesTotal, IndexBytesDone: j.IndexBytesDone,
		Uploaded: j.Uploaded, Downloaded: j.Downloaded, Skipped: j.Skipped, Failed: j.Failed,
		Errors: make([]JobError, 0, len(j.Errors)), Error: j.Error, Link: j.Link, LinkError: j.LinkError,
		CreatedAt: j.CreatedAt.UTC(), StartedAt: jobTime(j.StartedAt), FinishedAt: jobTime(j.FinishedAt),
	}
	if j.AccountID != 0 {
		id := j.AccountID
		v.AccountID = &id
	}
	for _, e := range j.Errors {
		v.Errors = append(v.Errors, JobError(e))
	}
	return v
}

// FromJobs returns the JSON views of jobs, an empty list for none.
func FromJobs(jobs []domain.Job) []Job {
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, FromJob(j))
	}
	return out
}

// jobTime returns nil for the zero time, else t in UTC.
func jobTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
