package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestStartIndexWhileOneRuns: asking for an index while one runs (the one
// photosync serve starts, say) answers the running job, not a conflict.
func TestStartIndexWhileOneRuns(t *testing.T) {
	jw := newJobWorld(t)
	w := newIndexWorld(t)
	w.sample()
	release := make(chan struct{})
	walking := make(chan struct{}, 1)
	w.lib.onWalk = func() {
		select {
		case walking <- struct{}{}:
		default:
		}
		<-release
	}
	ctx := context.Background()
	first, err := app.StartIndex(ctx, jw.jobs, w.indexer)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-walking:
	case <-time.After(10 * time.Second):
		t.Fatal("the first index did not start walking")
	}
	second, err := app.StartIndex(ctx, jw.jobs, w.indexer)
	if err != nil || second.ID != first.ID || second.Kind != domain.JobIndex || second.State.Ended() {
		t.Fatalf("a second index while the first runs: job %+v, %v; want the running job %d", second, err, first.ID)
	}
	close(release)
	end, err := jw.jobs.Wait(ctx, first.ID)
	if err != nil || end.State != domain.JobDone && end.State != domain.JobPartial {
		t.Fatalf("the index ended %+v, %v", end, err)
	}
	third, err := app.StartIndex(ctx, jw.jobs, w.indexer)
	if err != nil || third.ID == first.ID {
		t.Fatalf("an index after the first ended: %+v, %v; want a new job", third, err)
	}
	if _, err := jw.jobs.Wait(ctx, third.ID); err != nil {
		t.Fatal(err)
	}
}
