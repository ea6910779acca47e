package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestUploadProgressCountsWhatTheServerConfirmed: an upload's progress
// counts a file, and its bytes, once the server has shown it holds it
// whole, and does so as the upload goes (not all at the end for files of
// one folder); bytes handed over and not confirmed yet are sent, not done.
func TestUploadProgressCountsWhatTheServerConfirmed(t *testing.T) {
	w := newUpWorld(t)
	const n, size = 35, 20000
	for i := range n {
		w.index(t, upFile{fmt.Sprintf("trip/IMG_%04d.DNG", i), mediatest.RAW(t, int64(i+1), size)})
	}
	var mu sync.Mutex
	var seen []domain.Job
	p := app.NewProgress(domain.Job{Kind: domain.JobUpload}, func(j domain.Job) {
		mu.Lock()
		seen = append(seen, j)
		mu.Unlock()
	})
	err := w.up.Upload(context.Background(), app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.DefaultUploadOptions("/P")}, p)
	if err != nil {
		t.Fatal(err)
	}
	end := p.Snapshot()
	if end.Uploaded != n || end.BytesDone != n*size || end.BytesSent != 0 || end.FilesDone != n {
		t.Fatalf("the upload ended %+v; want %d files, %d bytes done, none left sent", end, n, n*size)
	}
	var midway, sentAhead bool
	for _, j := range seen {
		if j.BytesDone != int64(j.Uploaded)*size {
			t.Fatalf("progress counted %d bytes done for %d confirmed files of %d bytes: bytes not confirmed were counted", j.BytesDone, j.Uploaded, size)
		}
		midway = midway || (j.Uploaded > 0 && j.Uploaded < n)
		sentAhead = sentAhead || j.BytesSent > 0
	}
	if !midway {
		t.Error("no file of the folder was counted before the last one was sent")
	}
	if !sentAhead {
		t.Error("the bytes sent before the server confirmed them were never shown")
	}
}

// TestProgressConfirmedBytes: the counting itself.
func TestProgressConfirmedBytes(t *testing.T) {
	p := app.NewProgress(domain.Job{}, nil)
	p.AddBytes(10)
	if j := p.Snapshot(); j.BytesDone != 10 || j.BytesSent != 0 {
		t.Fatalf("without CountConfirmed, bytes are done: %+v", j)
	}
	p.CountConfirmed()
	p.AddBytes(100)
	p.AddBytes(50)
	if j := p.Snapshot(); j.BytesDone != 10 || j.BytesSent != 150 {
		t.Fatalf("sent bytes: %+v", j)
	}
	p.Confirmed("a.jpg", 100)
	p.Unsent(50)
	if j := p.Snapshot(); j.BytesDone != 110 || j.BytesSent != 0 || j.Uploaded != 1 || j.FilesDone != 1 {
		t.Fatalf("after one confirmed and one failed: %+v", j)
	}
	p.AddBytes(7)
	p.EndSending()
	if j := p.Snapshot(); j.BytesSent != 0 || j.BytesDone != 110 {
		t.Fatalf("after the end: %+v", j)
	}
}
