package app

import (
	"strings"
	"sync"

	"github.com/photosync/photosync/domain"
)

// Outcome is what became of one file of a job.
type Outcome int

// Outcomes of a file.
const (
	Uploaded Outcome = iota
	Downloaded
	Skipped
	Failed
)

// Progress collects a running job's counts. It is safe for concurrent use
// by the job's workers; every change calls the notify function given to
// NewProgress (the job runner uses it to persist and publish progress).
type Progress struct {
	mu      sync.Mutex
	job     domain.Job
	notify  func(domain.Job)
	confirm bool // see CountConfirmed
}

// NewProgress returns progress for job j; notify may be nil.
func NewProgress(j domain.Job, notify func(domain.Job)) *Progress {
	if notify == nil {
		notify = func(domain.Job) {}
	}
	return &Progress{job: j, notify: notify}
}

// SetTotal sets how many files and bytes the job will handle.
func (p *Progress) SetTotal(files int, bytes int64) {
	p.update(func(j *domain.Job) { j.FilesTotal, j.BytesTotal = files, bytes })
}

// AddTotal adds to the totals, for jobs that discover work as they go.
func (p *Progress) AddTotal(files int, bytes int64) {
	p.update(func(j *domain.Job) { j.FilesTotal += files; j.BytesTotal += bytes })
}

// AddBytes counts bytes transferred so far, for progress within a file:
// as done, or after CountConfirmed as sent, until Confirmed.
func (p *Progress) AddBytes(n int64) {
	p.update(func(j *domain.Job) {
		if p.confirm {
			j.BytesSent = max(j.BytesSent+n, 0)
		} else {
			j.BytesDone += n
		}
	})
}

// CountConfirmed makes the progress tell only what the server confirmed:
// the bytes AddBytes counts are sent (Job.BytesSent), not done, until
// Confirmed counts their file done, once the server has shown that it
// holds the whole file. An upload uses it: bytes handed to a socket, or
// held by a server that has not answered yet, are not uploaded.
func (p *Progress) CountConfirmed() {
	p.mu.Lock()
	p.confirm = true
	p.mu.Unlock()
}

// Confirmed counts a file the server confirmed it holds, whole, as
// uploaded: its size moves from the bytes sent to the bytes done.
func (p *Progress) Confirmed(path string, size int64) {
	p.update(func(j *domain.Job) {
		j.BytesSent = max(j.BytesSent-size, 0)
		j.BytesDone += size
		j.FilesDone++
		j.Uploaded++
	})
}

// Unsent takes the size of a file that was sent but failed its check out
// of the bytes sent.
func (p *Progress) Unsent(size int64) {
	p.update(func(j *domain.Job) { j.BytesSent = max(j.BytesSent-size, 0) })
}

// EndSending forgets the bytes sent that no file confirmed: the job has
// nothing in flight any more.
func (p *Progress) EndSending() {
	p.update(func(j *domain.Job) { j.BytesSent = 0 })
}

// FileDone counts one finished file. A failed file's error is kept (the
// first domain.MaxJobErrors of them) with its message for people.
func (p *Progress) FileDone(path string, outcome Outcome, err error) {
	p.update(func(j *domain.Job) {
		j.FilesDone++
		switch outcome {
		case Uploaded:
			j.Uploaded++
		case Downloaded:
			j.Downloaded++
		case Skipped:
			j.Skipped++
			// A skip with a reason is one a person must act on (see
			// domain.SyncAction.Unmovable): listed, not counted failed.
			if err != nil && len(j.Errors) < domain.MaxJobErrors {
				j.Errors = append(j.Errors, domain.JobError{Path: path, Message: SkippedPrefix + domain.ErrorMessage(err)})
			}
		case Failed:
			j.Failed++
			if len(j.Errors) < domain.MaxJobErrors {
				msg := "failed"
				if err != nil {
					msg = domain.ErrorMessage(err)
				}
				j.Errors = append(j.Errors, domain.JobError{Path: path, Message: msg})
			}
		}
	})
}

// SkippedPrefix starts the message of a file a job skipped for a reason a
// person must act on (a name no server can take): listed among the
// errors, not counted failed.
const SkippedPrefix = "skipped: "

// NotSentPrefix starts the message of a file an upload did not send
// because the library index already knows it is bad (empty, unreadable,
// corrupt): a problem that was there before the run, not a failure of it.
const NotSentPrefix = "not sent, a known problem: "

// KnownProblems counts the errors of j that are such known problems, and
// reports whether they are all of its failed files.
func KnownProblems(j domain.Job) (n int, all bool) {
	for _, e := range j.Errors {
		if strings.HasPrefix(e.Message, NotSentPrefix) {
			n++
		}
	}
	return n, n > 0 && n == j.Failed
}

// SetLink records the public link an upload made to its folder, or why
// it could not make one.
func (p *Progress) SetLink(link, linkError string) {
	p.update(func(j *domain.Job) { j.Link, j.LinkError = link, linkError })
}

// Indexing returns the progress of the library index a job runs first
// (a sync's): its counts show in p's job as the Index fields, the job's
// own counts stay the transfers'. Its files' errors stay its own: the
// index lists problems, the sync skips those files.
func (p *Progress) Indexing() *Progress {
	return NewProgress(domain.Job{Kind: domain.JobIndex}, func(ij domain.Job) {
		p.update(func(j *domain.Job) {
			// Notifications of several workers may arrive out of order:
			// what is done only grows.
			j.IndexFilesTotal, j.IndexBytesTotal = ij.FilesTotal, ij.BytesTotal
			j.IndexFilesDone = max(j.IndexFilesDone, ij.FilesDone)
			j.IndexBytesDone = max(j.IndexBytesDone, ij.BytesDone)
		})
	})
}

// Snapshot returns the job as it stands.
func (p *Progress) Snapshot() domain.Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	j := p.job
	j.Errors = append([]domain.JobError(nil), p.job.Errors...)
	return j
}

func (p *Progress) update(fn func(*domain.Job)) {
	p.mu.Lock()
	fn(&p.job)
	j := p.job
	j.Errors = append([]domain.JobError(nil), p.job.Errors...)
	p.mu.Unlock()
	p.notify(j)
}
