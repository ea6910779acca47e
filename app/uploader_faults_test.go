package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// upHookStorage lets a test take over the uploads of a storage.
type upHookStorage struct {
	ports.RemoteStorage
	upload func(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error
}

func (h upHookStorage) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	return h.upload(ctx, p, body, size, meta)
}

// hook makes the world's storage send every upload through fn, which gets
// the real storage to pass it on.
func (w *upWorld) hook(fn func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error) {
	w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage {
		return upHookStorage{st, func(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
			return fn(st, ctx, p, body, size, meta)
		}}
	}
}

// TestUploadCatchesShortFiles: a server that stores fewer bytes than it
// received is caught by the size check; the short file is removed and
// not recorded.
func TestUploadCatchesShortFiles(t *testing.T) {
	w := newUpWorld(t)
	ph := w.index(t, upFile{"a/x.jpg", bytes.Repeat([]byte("x"), 4096)})
	w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
		data, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		return next.Upload(ctx, p, bytes.NewReader(data[:1200]), 1200, meta)
	})
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), ph)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 0, 0, 1)
	if msg := j.Errors[0].Message; !strings.Contains(msg, "1200 of 4096 bytes") {
		t.Errorf("error %q does not say how much the server stored", msg)
	}
	if _, ok := w.server.File("/P/x.jpg"); ok {
		t.Error("the short file was left on the server")
	}
	if recs, _ := w.uploads.UploadsIn(context.Background(), w.account.ID, "/P"); len(recs) != 0 {
		t.Errorf("the short file was recorded: %v", recs)
	}
}

// TestUploadRetriesABusyServer: a 503 is tried again with the file opened
// anew, and its bytes are counted once.
func TestUploadRetriesABusyServer(t *testing.T) {
	w := newUpWorld(t)
	data := bytes.Repeat([]byte("y"), 1<<20)
	ph := w.index(t, upFile{"a/y.jpg", data})
	var calls atomic.Int32
	w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
		if calls.Add(1) == 1 {
			_, _ = io.CopyN(io.Discard, body, size/2)
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server is busy or failing (503 Service Unavailable)")
		}
		return next.Upload(ctx, p, body, size, meta)
	})
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), ph)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 1, 0, 0)
	if calls.Load() != 2 || !bytes.Equal(w.remote(t, "/P/y.jpg"), data) || j.BytesDone != int64(len(data)) {
		t.Fatalf("%d calls, %d bytes counted; want 2 calls and the whole file counted once", calls.Load(), j.BytesDone)
	}
}

// TestUploadGivesUpOnAFullServer: a server without space fails the file
// after the last try, with the server's words, and the others go on.
func TestUploadGivesUpOnAFullServer(t *testing.T) {
	w := newUpWorld(t)
	a := w.index(t, upFile{"a/a.jpg", []byte("aaaa")})
	b := w.index(t, upFile{"a/b.jpg", []byte("bbbb")})
	w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
		if strings.HasSuffix(p, "a.jpg") {
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server has no space left (507 Insufficient Storage)")
		}
		return next.Upload(ctx, p, body, size, meta)
	})
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), a, b)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 1, 0, 1)
	if j.Errors[0].Path != "a/a.jpg" || !strings.Contains(j.Errors[0].Message, "no space") {
		t.Errorf("errors %v", j.Errors)
	}
}

// TestUploadStopsWhenRefused: a 401 or 403 stops the whole upload and
// marks the account.
func TestUploadStopsWhenRefused(t *testing.T) {
	for _, code := range []string{domain.EUNAUTHORIZED, domain.EFORBIDDEN} {
		t.Run(code, func(t *testing.T) {
			w := newUpWorld(t)
			var photos []domain.Photo
			for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
				photos = append(photos, w.index(t, upFile{"a/" + n + ".jpg", []byte(n)}))
			}
			w.up.Parallel = 1
			var calls atomic.Int32
			w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
				calls.Add(1)
				return domain.RemoteErrorf(code, "refused")
			})
			j, err := w.run(t, domain.DefaultUploadOptions("/P"), photos...)
			if domain.ErrorCode(err) != code {
				t.Fatalf("Upload = %v, want %s", err, code)
			}
			if calls.Load() != 1 || j.Uploaded != 0 {
				t.Errorf("%d uploads tried after a refusal, %d uploaded", calls.Load(), j.Uploaded)
			}
			a, _ := w.accounts.Account(context.Background(), w.account.ID)
			if a.Status == domain.StatusOK || a.LastError == "" {
				t.Errorf("the account was not marked: %+v", a)
			}
		})
	}
}

// TestUploadCancel: cancelling stops the upload at once; the file in
// flight is removed from the server and nothing half-sent is recorded.
func TestUploadCancel(t *testing.T) {
	w := newUpWorld(t)
	var photos []domain.Photo
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		photos = append(photos, w.index(t, upFile{"a/" + n + ".jpg", bytes.Repeat([]byte(n), 10000)}))
	}
	w.up.Parallel = 2
	started := make(chan struct{}, 10)
	w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
		if strings.HasSuffix(p, "/a.jpg") {
			return next.Upload(ctx, p, body, size, meta) // one whole file before the cancel
		}
		half, _ := io.ReadAll(io.LimitReader(body, size/2))
		// The server holds half a file while the rest is on its way.
		if err := next.Upload(context.Background(), p, bytes.NewReader(half), int64(len(half)), meta); err != nil {
			return err
		}
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	})
	jobs := app.NewJobs(memory.NewJobStore(w.clock), w.clock, slog.New(slog.DiscardHandler))
	defer jobs.Close()
	req := app.UploadRequest{AccountID: w.account.ID, Options: domain.DefaultUploadOptions("/P")}
	for _, p := range photos {
		req.PhotoIDs = append(req.PhotoIDs, p.ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		<-started
		cancel()
	}()
	job, err := jobs.Run(ctx, domain.JobUpload, w.account.ID, func(ctx context.Context, p *app.Progress) error {
		return w.up.Upload(ctx, req, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != domain.JobCancelled || job.Uploaded != 1 || job.Failed != 0 || job.FilesDone != 1 {
		t.Fatalf("job %+v, want cancelled with the one whole file uploaded", job)
	}
	recs, _ := w.uploads.UploadsIn(context.Background(), w.account.ID, "/P")
	if len(recs) != 1 || recs[0].RemotePath != "/P/a.jpg" {
		t.Errorf("records %v, want only /P/a.jpg", recs)
	}
	entries, _ := w.accounts.Folders(context.Background(), w.account.ID, "/P")
	for _, n := range []string{"b", "c", "d", "e", "f"} {
		if _, ok := w.server.File("/P/" + n + ".jpg"); ok {
			t.Errorf("the half-sent /P/%s.jpg was left on the server (%v)", n, entries)
		}
	}
}

// TestUploadSendsSeveralAtOnce: Parallel files are in flight together.
func TestUploadSendsSeveralAtOnce(t *testing.T) {
	w := newUpWorld(t)
	var photos []domain.Photo
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		photos = append(photos, w.index(t, upFile{"a/" + n + ".jpg", []byte(n)}))
	}
	var mu sync.Mutex
	inFlight, most := 0, 0
	w.hook(func(next ports.RemoteStorage, ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		deadline := time.Now().Add(5 * time.Second)
		for { // wait until four are in flight, or give up
			mu.Lock()
			enough := most >= 4
			mu.Unlock()
			if enough || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond) // polling interval
		}
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		return next.Upload(ctx, p, body, size, meta)
	})
	j, err := w.run(t, domain.DefaultUploadOptions("/P"), photos...)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 8, 0, 0)
	if most != 4 {
		t.Fatalf("%d uploads were in flight at most, want 4", most)
	}
}

// TestUploadResized: fit_720 sends a smaller JPEG with its date taken,
// records it, and the next upload skips it without sending.
func TestUploadResized(t *testing.T) {
	w := newUpWorld(t)
	taken := time.Date(2021, 7, 14, 18, 30, 5, 0, time.UTC)
	big := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 2000, Height: 1500, TakenAt: taken, Seed: 9})
	small := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200, Seed: 10})
	ph := w.index(t, upFile{"a/big.jpg", big}, upFile{"a/big.dng", []byte("raw stays as it is")})
	sm := w.index(t, upFile{"a/small.jpg", small})
	opts := domain.DefaultUploadOptions("/P")
	opts.Size = domain.SizeFit720
	j, err := w.run(t, opts, ph, sm)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 3, 0, 0)
	got := w.remote(t, "/P/big.jpg")
	info, err := media.NewInspector().Inspect(context.Background(), "big.jpg", bytes.NewReader(got), int64(len(got)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) >= len(big) || max(info.Width, info.Height) != 720 || !info.TakenAt.Equal(taken) || info.Problem != "" {
		t.Errorf("resized: %d bytes (original %d), %dx%d, taken %v; want smaller, 720 wide, taken %v", len(got), len(big), info.Width, info.Height, info.TakenAt, taken)
	}
	if !bytes.Equal(w.remote(t, "/P/small.jpg"), small) || string(w.remote(t, "/P/big.dng")) != "raw stays as it is" {
		t.Error("a small JPEG or a RAW file was not sent as it is")
	}
	if j.BytesDone != j.BytesTotal || j.BytesDone != int64(len(got)+len(small)+len("raw stays as it is")) {
		t.Errorf("bytes %d of %d", j.BytesDone, j.BytesTotal)
	}
	recs, _ := w.uploads.UploadsOf(context.Background(), []int64{ph.Files[0].ID})
	if r := recs[ph.Files[0].ID]; len(r) != 1 || r[0].UploadSize != domain.SizeFit720 || r[0].Size != int64(len(got)) || r[0].SourceSHA1 != upSHA1(big) || r[0].SHA1 != upSHA1(got) {
		t.Errorf("record %+v", r)
	}
	j, err = w.run(t, opts, ph, sm)
	if err != nil {
		t.Fatal(err)
	}
	checkUpCounts(t, j, 0, 3, 0)
}

func TestUploadPrepare(t *testing.T) {
	w := newUpWorld(t)
	ph := w.index(t, upFile{"a/x.jpg", []byte("x")})
	ctx := context.Background()
	req, err := w.up.Prepare(ctx, app.UploadRequest{AccountID: w.account.ID, PhotoIDs: []int64{ph.ID, ph.ID}})
	if err != nil || req.Options.Folder != w.account.UploadFolder || req.Options.Size != w.account.UploadSize || len(req.PhotoIDs) != 1 {
		t.Fatalf("Prepare = %+v, %v; want the account's folder and size, the photo once", req, err)
	}
	for _, tc := range []struct {
		name string
		req  app.UploadRequest
		code string
	}{
		{"no account", app.UploadRequest{AccountID: 99, All: true}, domain.ENOTFOUND},
		{"no photo", app.UploadRequest{AccountID: w.account.ID, PhotoIDs: []int64{ph.ID + 100}}, domain.ENOTFOUND},
		{"nothing chosen", app.UploadRequest{AccountID: w.account.ID}, domain.EINVALID},
		{"both", app.UploadRequest{AccountID: w.account.ID, All: true, PhotoIDs: []int64{ph.ID}}, domain.EINVALID},
		{"bad size", app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.UploadOptions{Size: "fit_1"}}, domain.EINVALID},
		{"bad folder", app.UploadRequest{AccountID: w.account.ID, All: true, Options: domain.UploadOptions{Folder: "/a/../b"}}, domain.EINVALID},
	} {
		if _, err := w.up.Prepare(ctx, tc.req); domain.ErrorCode(err) != tc.code {
			t.Errorf("%s: Prepare = %v, want %s", tc.name, err, tc.code)
		}
	}
	off := false
	if _, err := w.accounts.Update(ctx, w.account.ID, app.AccountInput{UploadEnabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.up.Prepare(ctx, app.UploadRequest{AccountID: w.account.ID, All: true}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("Prepare with uploads off = %v, want ECONFLICT", err)
	}
	if j, err := w.run(t, domain.UploadOptions{}, ph); domain.ErrorCode(err) != domain.ECONFLICT || j.FilesDone != 0 {
		t.Errorf("Upload with uploads off = %v, %+v", err, j)
	}
}
