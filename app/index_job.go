package app

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// StartIndex runs an index of the library as a job in the background. An
// index already running answers ECONFLICT.
func StartIndex(ctx context.Context, jobs *Jobs, indexer *Indexer) (domain.Job, error) {
	return jobs.Start(ctx, domain.JobIndex, 0, func(ctx context.Context, p *Progress) error {
		_, err := indexer.Index(ctx, p)
		return err
	})
}
