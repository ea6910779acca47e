package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// JobStore keeps jobs in a map.
type JobStore struct {
	clock ports.Clock

	mu     sync.Mutex
	nextID int64
	jobs   map[int64]domain.Job
}

var _ ports.JobStore = (*JobStore)(nil)

// NewJobStore returns an empty store that stamps CreatedAt from clock.
func NewJobStore(clock ports.Clock) *JobStore {
	return &JobStore{clock: clock, jobs: map[int64]domain.Job{}}
}

// CreateJob stores a copy of j and sets its ID and CreatedAt.
func (s *JobStore) CreateJob(ctx context.Context, j *domain.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	j.ID, j.CreatedAt = s.nextID, s.clock.Now().UTC()
	s.jobs[j.ID] = cloneJob(*j)
	return nil
}

// Job returns a copy of one job. ENOTFOUND when there is none.
func (s *JobStore) Job(ctx context.Context, id int64) (domain.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return domain.Job{}, jobNotFound(id)
	}
	return cloneJob(j), nil
}

// Jobs returns copies of the jobs that match f, newest (highest ID) first.
func (s *JobStore) Jobs(ctx context.Context, f domain.JobFilter) ([]domain.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []domain.Job{}
	for _, j := range s.jobs {
		if (f.AccountID == 0 || j.AccountID == f.AccountID) && (f.Kind == "" || j.Kind == f.Kind) {
			out = append(out, cloneJob(j))
		}
	}
	slices.SortFunc(out, func(a, b domain.Job) int { return cmp.Compare(b.ID, a.ID) })
	limit := f.Limit
	if limit <= 0 {
		limit = domain.DefaultJobLimit
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UpdateJob changes a job under the store's lock. fn cannot change ID or
// CreatedAt. ENOTFOUND when there is no such job.
func (s *JobStore) UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.jobs[id]
	if !ok {
		return domain.Job{}, jobNotFound(id)
	}
	j := cloneJob(cur)
	if err := fn(&j); err != nil {
		return domain.Job{}, err
	}
	j.ID, j.CreatedAt = cur.ID, cur.CreatedAt
	s.jobs[id] = cloneJob(j)
	return cloneJob(j), nil
}

func jobNotFound(id int64) error {
	return domain.Errorf(domain.ENOTFOUND, "job %d not found", id)
}

// cloneJob copies j with its own Errors, keeping the first
// domain.MaxJobErrors.
func cloneJob(j domain.Job) domain.Job {
	errs := j.Errors
	if len(errs) > domain.MaxJobErrors {
		errs = errs[:domain.MaxJobErrors]
	}
	j.Errors = slices.Clone(errs)
	return j
}
