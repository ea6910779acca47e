package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// JobStore keeps jobs and their progress.
type JobStore interface {
	// CreateJob stores a new job and sets its ID and CreatedAt.
	CreateJob(ctx context.Context, j *domain.Job) error
	// Job returns one job. ENOTFOUND.
	Job(ctx context.Context, id int64) (domain.Job, error)
	// Jobs returns jobs, newest first.
	Jobs(ctx context.Context, f domain.JobFilter) ([]domain.Job, error)
	// UpdateJob changes a job atomically. ENOTFOUND.
	UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error)
}
