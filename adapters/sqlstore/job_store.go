package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// JobStore keeps jobs in the jobs table.
type JobStore struct {
	db *DB
}

var _ ports.JobStore = (*JobStore)(nil)

// NewJobStore returns a JobStore on db.
func NewJobStore(db *DB) *JobStore {
	return &JobStore{db: db}
}

// jobColumns are the columns written from a Job, in the order of
// jobValues. The ID is the table's own.
var jobColumns = []string{
	"kind", "account_id", "state",
	"files_total", "files_done", "bytes_total", "bytes_done",
	"uploaded", "downloaded", "skipped", "failed",
	"errors", "error", "created_at", "started_at", "finished_at", "link", "link_error",
}

var (
	selectJob = `SELECT id, ` + strings.Join(jobColumns, ", ") + ` FROM jobs`
	insertJob = `INSERT INTO jobs (` + strings.Join(jobColumns, ", ") + `) VALUES (` +
		placeholders(len(jobColumns)) + `) RETURNING id`
	updateJob = `UPDATE jobs SET (` + strings.Join(jobColumns, ", ") + `) = (` +
		placeholders(len(jobColumns)) + `) WHERE id = ?`
)

// jobErrorJSON is the stored form of one domain.JobError; the domain has
// no JSON tags.
type jobErrorJSON struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// errorsJSON returns the first domain.MaxJobErrors of errs as stored: a
// JSON array.
func errorsJSON(errs []domain.JobError) (string, error) {
	out := make([]jobErrorJSON, 0, min(len(errs), domain.MaxJobErrors))
	for _, e := range errs[:min(len(errs), domain.MaxJobErrors)] {
		out = append(out, jobErrorJSON(e))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("errors: %w", err)
	}
	return string(b), nil
}

// errorsOf reads the errors stored by errorsJSON.
func errorsOf(s string) ([]domain.JobError, error) {
	var errs []jobErrorJSON
	if err := json.Unmarshal([]byte(s), &errs); err != nil {
		return nil, err
	}
	var out []domain.JobError
	for _, e := range errs {
		out = append(out, domain.JobError(e))
	}
	return out, nil
}

// jobValues returns the values of j for jobColumns, with at most
// domain.MaxJobErrors errors.
func jobValues(j *domain.Job) ([]any, error) {
	errs, err := errorsJSON(j.Errors)
	if err != nil {
		return nil, err
	}
	times, err := timeValues([]string{"created_at", "started_at", "finished_at"}, j.CreatedAt, j.StartedAt, j.FinishedAt)
	if err != nil {
		return nil, err
	}
	return []any{
		string(j.Kind), j.AccountID, string(j.State),
		j.FilesTotal, j.FilesDone, j.BytesTotal, j.BytesDone,
		j.Uploaded, j.Downloaded, j.Skipped, j.Failed,
		errs, j.Error, times[0], times[1], times[2], j.Link, j.LinkError,
	}, nil
}

// stored returns j as it reads back from the table: times in UTC, the
// first domain.MaxJobErrors errors in a slice of its own.
func stored(j domain.Job) domain.Job {
	j.Errors = slices.Clone(j.Errors[:min(len(j.Errors), domain.MaxJobErrors)])
	if len(j.Errors) == 0 {
		j.Errors = nil
	}
	j.CreatedAt, j.StartedAt, j.FinishedAt = utc(j.CreatedAt), utc(j.StartedAt), utc(j.FinishedAt)
	return j
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// scanJob reads a row of selectJob.
func scanJob(row scanner) (domain.Job, error) {
	var (
		j                          domain.Job
		kind, state, errsJSON      string
		created, started, finished sql.NullInt64
	)
	err := row.Scan(&j.ID,
		&kind, &j.AccountID, &state,
		&j.FilesTotal, &j.FilesDone, &j.BytesTotal, &j.BytesDone,
		&j.Uploaded, &j.Downloaded, &j.Skipped, &j.Failed,
		&errsJSON, &j.Error, &created, &started, &finished, &j.Link, &j.LinkError)
	if err != nil {
		return domain.Job{}, err
	}
	if j.Errors, err = errorsOf(errsJSON); err != nil {
		return domain.Job{}, fmt.Errorf("job %d: errors: %w", j.ID, err)
	}
	j.Kind, j.State = domain.JobKind(kind), domain.JobState(state)
	j.CreatedAt, j.StartedAt, j.FinishedAt = timeOf(created), timeOf(started), timeOf(finished)
	return j, nil
}

// CreateJob stores a new job and sets its ID and CreatedAt.
func (s *JobStore) CreateJob(ctx context.Context, j *domain.Job) error {
	created := *j
	created.CreatedAt = now()
	values, err := jobValues(&created)
	if err != nil {
		return s.db.errorf("create job: %w", err)
	}
	var id int64
	if err := s.db.db.QueryRowContext(ctx, s.db.q(insertJob), values...).Scan(&id); err != nil {
		return s.db.errorf("create job: %w", err)
	}
	j.ID, j.CreatedAt = id, created.CreatedAt
	return nil
}

// Job returns one job. ENOTFOUND when there is none.
func (s *JobStore) Job(ctx context.Context, id int64) (domain.Job, error) {
	return s.job(ctx, s.db.db, id, "")
}

// job reads one job; lock is the dialect's ForUpdate inside an update's
// transaction q.
func (s *JobStore) job(ctx context.Context, q querier, id int64, lock string) (domain.Job, error) {
	return queryOne(ctx, s.db, q, "job "+itoa(id), scanJob, selectJob+` WHERE id = ?`+lock, id)
}

// Jobs returns the jobs that match f, newest (highest ID) first.
func (s *JobStore) Jobs(ctx context.Context, f domain.JobFilter) ([]domain.Job, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	q := selectJob
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = domain.DefaultJobLimit
	}
	return queryAll(ctx, s.db, s.db.db, "list jobs", scanJob, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

// UpdateJob reads a job, lets fn change it and stores the result in one
// transaction, which holds the job's row: fn must not wait for anything
// slow. An error from fn aborts the update and is returned as is. fn
// cannot change ID or CreatedAt. ENOTFOUND when there is no such job.
func (s *JobStore) UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error) {
	var j domain.Job
	err := s.db.inTx(ctx, "update job "+itoa(id), func(tx *sql.Tx) error {
		old, err := s.job(ctx, tx, id, s.db.d.ForUpdate)
		if err != nil {
			return err
		}
		j = old
		if err := fn(&j); err != nil {
			return err
		}
		j.ID, j.CreatedAt = old.ID, old.CreatedAt
		values, err := jobValues(&j)
		if err != nil {
			return s.db.errorf("update job %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, s.db.q(updateJob), append(values, id)...); err != nil {
			return s.db.errorf("update job %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return domain.Job{}, err
	}
	return stored(j), nil
}
