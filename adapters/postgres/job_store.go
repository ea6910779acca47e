package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
		params(1, len(jobColumns)) + `) RETURNING id`
	updateJob = `UPDATE jobs SET (` + strings.Join(jobColumns, ", ") + `) = ROW (` +
		params(1, len(jobColumns)) + `) WHERE id = $` + strconv.Itoa(len(jobColumns)+1)
)

// jobErrorJSON is the stored form of one domain.JobError; the domain has
// no JSON tags.
type jobErrorJSON struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// jobValues returns the values of j for jobColumns, with at most
// domain.MaxJobErrors errors.
func jobValues(j *domain.Job) ([]any, error) {
	errs := make([]jobErrorJSON, 0, min(len(j.Errors), domain.MaxJobErrors))
	for _, e := range j.Errors[:min(len(j.Errors), domain.MaxJobErrors)] {
		errs = append(errs, jobErrorJSON(e))
	}
	errsJSON, err := json.Marshal(errs)
	if err != nil {
		return nil, fmt.Errorf("errors: %w", err)
	}
	created, err := timeValue(j.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("created_at: %w", err)
	}
	started, err := timeValue(j.StartedAt)
	if err != nil {
		return nil, fmt.Errorf("started_at: %w", err)
	}
	finished, err := timeValue(j.FinishedAt)
	if err != nil {
		return nil, fmt.Errorf("finished_at: %w", err)
	}
	return []any{
		string(j.Kind), j.AccountID, string(j.State),
		j.FilesTotal, j.FilesDone, j.BytesTotal, j.BytesDone,
		j.Uploaded, j.Downloaded, j.Skipped, j.Failed,
		string(errsJSON), j.Error, created, started, finished, j.Link, j.LinkError,
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
func scanJob(row interface{ Scan(...any) error }) (domain.Job, error) {
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
	var errs []jobErrorJSON
	if err := json.Unmarshal([]byte(errsJSON), &errs); err != nil {
		return domain.Job{}, fmt.Errorf("job %d: errors: %w", j.ID, err)
	}
	for _, e := range errs {
		j.Errors = append(j.Errors, domain.JobError(e))
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
		return fmt.Errorf("postgres: create job: %w", err)
	}
	var id int64
	if err := s.db.db.QueryRowContext(ctx, insertJob, values...).Scan(&id); err != nil {
		return fmt.Errorf("postgres: create job: %w", err)
	}
	j.ID, j.CreatedAt = id, created.CreatedAt
	return nil
}

// Job returns one job. ENOTFOUND when there is none.
func (s *JobStore) Job(ctx context.Context, id int64) (domain.Job, error) {
	return job(ctx, s.db.db, id, "")
}

// job reads one job; lock "FOR UPDATE" holds its row until the end of the
// transaction q.
func job(ctx context.Context, q querier, id int64, lock string) (domain.Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, selectJob+` WHERE id = $1 `+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Job{}, domain.Errorf(domain.ENOTFOUND, "job %d not found", id)
	}
	if err != nil {
		return domain.Job{}, fmt.Errorf("postgres: get job %d: %w", id, err)
	}
	return j, nil
}

// Jobs returns the jobs that match f, newest (highest ID) first.
func (s *JobStore) Jobs(ctx context.Context, f domain.JobFilter) ([]domain.Job, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		args = append(args, f.AccountID)
		where = append(where, "account_id = $"+strconv.Itoa(len(args)))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		where = append(where, "kind = $"+strconv.Itoa(len(args)))
	}
	q := selectJob
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = domain.DefaultJobLimit
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)+1), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list jobs: %w", err)
	}
	defer rows.Close()
	list := []domain.Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list jobs: %w", err)
		}
		list = append(list, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list jobs: %w", err)
	}
	return list, nil
}

// UpdateJob reads a job, lets fn change it and stores the result in one
// transaction, which locks the job's row (SELECT ... FOR UPDATE): fn must
// not wait for anything slow. An error from fn aborts the update and is returned as is.
// fn cannot change ID or CreatedAt. ENOTFOUND when there is no such job.
func (s *JobStore) UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error) {
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return domain.Job{}, fmt.Errorf("postgres: update job %d: %w", id, err)
	}
	defer tx.Rollback()

	old, err := job(ctx, tx, id, "FOR UPDATE")
	if err != nil {
		return domain.Job{}, err
	}
	j := old
	if err := fn(&j); err != nil {
		return domain.Job{}, err
	}
	j.ID, j.CreatedAt = old.ID, old.CreatedAt
	values, err := jobValues(&j)
	if err != nil {
		return domain.Job{}, fmt.Errorf("postgres: update job %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, updateJob, append(values, id)...); err != nil {
		return domain.Job{}, fmt.Errorf("postgres: update job %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return domain.Job{}, fmt.Errorf("postgres: update job %d: %w", id, err)
	}
	return stored(j), nil
}
