package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// heldReads is a server without hashes of what it stores (the memory
// server), whose downloads of the files uploaded to it wait until release
// is closed: the read-backs that prove the uploads are held, and the test
// sees what the run does meanwhile.
type heldReads struct {
	ports.RemoteStorage
	release chan struct{}
	puts    chan string // each path stored, once stored
	held    chan string // each path whose download waits

	mu   sync.Mutex
	sent map[string]bool
}

func (h *heldReads) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	if err := h.RemoteStorage.Upload(ctx, p, body, size, meta); err != nil {
		return err
	}
	h.mu.Lock()
	h.sent[p] = true
	h.mu.Unlock()
	h.puts <- p
	return nil
}

func (h *heldReads) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	h.mu.Lock()
	sent := h.sent[p]
	h.mu.Unlock()
	if sent {
		h.held <- p
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, domain.RemoteFile{}, ctx.Err()
		}
	}
	return h.RemoteStorage.Download(ctx, p)
}

func (h *heldReads) Move(ctx context.Context, from, to string) error {
	return h.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

// TestSyncReadsBackBesideLaterUploads: on a server that gives no hash of
// what it stored, the read-backs that prove a run's uploads do not hold
// up its later uploads: while the first read-backs are held, every file
// of the run reaches the server (four times as many as the run sends at
// once: read-backs waiting for a place do not hold the workers either,
// which they did while the pool's places were theirs too), and none is
// counted, paired or shown uploaded before its read-back has finished.
// Once the read-backs go, every file is counted once and paired.
func TestSyncReadsBackBesideLaterUploads(t *testing.T) {
	w := newSyncWorld(t) // 3 files at once, every upload read back
	const n = 12
	for i := range n {
		w.write(t, fmt.Sprintf("a/IMG_%d.jpg", i), pic(t, fmt.Sprint("read back ", i)), syncTime)
	}
	h := &heldReads{release: make(chan struct{}), puts: make(chan string, 100), held: make(chan string, 100), sent: map[string]bool{}}
	var once sync.Once
	let := func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(let)
	w.mu.Lock()
	w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage {
		h.RemoteStorage = st
		return h
	}
	w.mu.Unlock()
	var job int64
	done := w.started(app.ByHand, &job)

	stored, held := map[string]bool{}, map[string]bool{}
	deadline := time.After(earlyDeadline)
	for len(stored) < n {
		select {
		case p := <-h.puts:
			stored[p] = true
		case p := <-h.held:
			held[p] = true
		case <-deadline:
			t.Fatalf("while the read-backs of %v were held, the server got only %d of the %d files: the read-backs hold up the uploads",
				keys(held), len(stored), n)
		}
	}
	if len(held) == 0 {
		// Every file is stored and no read-back has begun: wait for one,
		// so that the counts below are looked at while one is held.
		select {
		case p := <-h.held:
			held[p] = true
		case <-deadline:
			t.Fatal("no upload was read back")
		}
	}
	j := w.progress(t, job)
	if j.Uploaded != 0 || j.FilesDone != 0 {
		t.Errorf("with every read-back held, the job counts %d files uploaded, %d done; want none before its proof", j.Uploaded, j.FilesDone)
	}
	if pairs, err := w.store.Pairs(context.Background(), w.account.ID); err != nil || len(pairs) != 0 {
		t.Errorf("with every read-back held, pairs %v (%v); want none before its proof", pairs, err)
	}
	let()

	run := finished(t, done)
	checkRun(t, run, 0, n, 0)
	pairs, err := w.store.Pairs(context.Background(), w.account.ID)
	if err != nil || len(pairs) != n {
		t.Fatalf("pairs %d (%v); want the %d files paired", len(pairs), err, n)
	}
	if j := w.progress(t, job); j.Uploaded != n || j.FilesDone != n {
		t.Errorf("progress at the end: %d uploaded, %d done; want %d", j.Uploaded, j.FilesDone, n)
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}

// TestSyncCancelledDuringReadBacksRecordsNothing: a run cancelled while
// the read-backs of its uploads are held counts, pairs and keeps none of
// them (each file sent whole but never proven is removed from the
// server, as a proof cut short always did), and the next run sends them.
func TestSyncCancelledDuringReadBacksRecordsNothing(t *testing.T) {
	w := newSyncWorld(t)
	const n = 6
	for i := range n {
		w.write(t, fmt.Sprintf("a/IMG_%d.jpg", i), pic(t, fmt.Sprint("cut short ", i)), syncTime)
	}
	h := &heldReads{release: make(chan struct{}), puts: make(chan string, 100), held: make(chan string, 100), sent: map[string]bool{}}
	var once sync.Once
	let := func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(let)
	w.mu.Lock()
	w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage {
		h.RemoteStorage = st
		return h
	}
	w.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan runResult, 1)
	go func() {
		run, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true))
		done <- runResult{run, err}
	}()
	deadline := time.After(earlyDeadline)
	for stored, held := 0, 0; stored < n || held == 0; {
		select {
		case <-h.puts:
			stored++
		case <-h.held:
			held++
		case <-deadline:
			t.Fatalf("%d files stored, %d read-backs held; want %d stored and one held", stored, held, n)
		}
	}
	cancel()
	var r runResult
	select {
	case r = <-done:
	case <-deadline:
		t.Fatal("the cancelled run did not end")
	}
	if !errors.Is(r.err, context.Canceled) || r.run.Complete || r.run.Uploaded != 0 {
		t.Fatalf("cancelled Sync = %+v, %v; want cancelled with nothing counted uploaded", r.run, r.err)
	}
	if pairs, err := w.store.Pairs(context.Background(), w.account.ID); err != nil || len(pairs) != 0 {
		t.Errorf("pairs %v (%v); want none: no upload was proven", pairs, err)
	}
	if left := w.files(t, "/Photos"); len(left) != 0 {
		t.Errorf("files sent but never proven stay on the server: %v", keys(left))
	}
	let()
	checkRun(t, w.sync(t), 0, n, 0)
}

// TestUploadReadsBackBesideLaterUploads: the manual upload, like the
// sync, goes on sending while the read-backs of its first files are held,
// and counts and records a file only once its read-back finished.
func TestUploadReadsBackBesideLaterUploads(t *testing.T) {
	w := newUpWorld(t)
	w.up.Parallel = 2
	const n = 4
	var photos []domain.Photo
	for i := range n {
		photos = append(photos, w.index(t, upFile{fmt.Sprintf("a/IMG_%d.jpg", i), pic(t, fmt.Sprint("upload ", i))}))
	}
	h := &heldReads{release: make(chan struct{}), puts: make(chan string, 100), held: make(chan string, 100), sent: map[string]bool{}}
	var once sync.Once
	let := func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(let)
	w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage {
		h.RemoteStorage = st
		return h
	}
	req := app.UploadRequest{AccountID: w.account.ID, Options: domain.DefaultUploadOptions("/P")}
	for _, ph := range photos {
		req.PhotoIDs = append(req.PhotoIDs, ph.ID)
	}
	p := app.NewProgress(domain.Job{}, nil)
	done := make(chan error, 1)
	go func() { done <- w.up.Upload(context.Background(), req, p) }()

	deadline := time.After(earlyDeadline)
	for stored, held := 0, 0; stored < n || held == 0; {
		select {
		case <-h.puts:
			stored++
		case <-h.held:
			held++
		case <-deadline:
			t.Fatalf("while %d read-backs were held, the server got only %d of the %d files: the read-backs hold up the uploads", held, stored, n)
		}
	}
	if j := p.Snapshot(); j.Uploaded != 0 || j.FilesDone != 0 || j.BytesDone != 0 {
		t.Errorf("with every read-back held, the job counts %d uploaded, %d done, %d bytes done; want none before its proof", j.Uploaded, j.FilesDone, j.BytesDone)
	}
	if recs, _ := w.uploads.UploadsIn(context.Background(), w.account.ID, "/P"); len(recs) != 0 {
		t.Errorf("with every read-back held, uploads recorded: %v", recs)
	}
	let()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-deadline:
		t.Fatal("the upload did not end")
	}
	j := p.Snapshot()
	checkUpCounts(t, j, n, 0, 0)
	if j.BytesSent != 0 || j.BytesDone != j.BytesTotal {
		t.Errorf("bytes: %d done of %d, %d sent unconfirmed; want all done", j.BytesDone, j.BytesTotal, j.BytesSent)
	}
	if recs, _ := w.uploads.UploadsIn(context.Background(), w.account.ID, "/P"); len(recs) != n {
		t.Errorf("%d uploads recorded, want %d", len(recs), n)
	}
}
