package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// expiringUpload uploads three photos to /Expiring with a 7-day expiry
// and returns the world.
func expiringUpload(t *testing.T) *upWorld {
	t.Helper()
	w := newUpWorld(t)
	var photos []domain.Photo
	for i, name := range []string{"a/IMG_1.JPG", "a/IMG_2.JPG", "a/IMG_3.JPG"} {
		photos = append(photos, w.index(t, upFile{name, mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 10)})}))
	}
	opts := domain.DefaultUploadOptions("/Expiring")
	opts.ExpireAfter = 7 * 24 * time.Hour
	if _, err := w.run(t, opts, photos...); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	return w
}

func (w *upWorld) removeExpired(t *testing.T) int {
	t.Helper()
	n, err := w.up.RemoveExpired(context.Background())
	if err != nil {
		t.Fatalf("RemoveExpired: %v", err)
	}
	return n
}

func (w *upWorld) records(t *testing.T, dir string) int {
	t.Helper()
	in, err := w.uploads.UploadsIn(context.Background(), w.account.ID, dir)
	if err != nil {
		t.Fatalf("UploadsIn: %v", err)
	}
	return len(in)
}

// TestRemoveExpiredAfterDays: the files of an upload with an expiry stay
// until the expiry and are removed from the server then, with their
// records; a file replaced on the server is kept, and one gone from the
// server only loses its record.
func TestRemoveExpiredAfterDays(t *testing.T) {
	w := expiringUpload(t)
	recs, err := w.uploads.UploadsIn(context.Background(), w.account.ID, "/Expiring")
	if err != nil || len(recs) != 3 {
		t.Fatalf("UploadsIn = %v, %v; want 3 records", recs, err)
	}
	for _, r := range recs {
		if want := r.UploadedAt.Add(7 * 24 * time.Hour); !r.ExpiresAt.Equal(want) {
			t.Errorf("%s ExpiresAt = %v, want %v", r.RemotePath, r.ExpiresAt, want)
		}
	}

	w.clock.Advance(7*24*time.Hour - time.Second)
	if n := w.removeExpired(t); n != 0 {
		t.Fatalf("RemoveExpired before the expiry removed %d files", n)
	}
	for _, p := range []string{"/Expiring/IMG_1.JPG", "/Expiring/IMG_2.JPG", "/Expiring/IMG_3.JPG"} {
		w.remote(t, p)
	}

	// Someone replaces IMG_2 with other content of the same size, and
	// removes IMG_3.
	st := memory.NewRemote(w.server)
	old := w.remote(t, "/Expiring/IMG_2.JPG")
	other := make([]byte, len(old))
	copy(other, old)
	other[len(other)/2] ^= 0xff
	if err := st.Upload(context.Background(), "/Expiring/IMG_2.JPG", bytes.NewReader(other), int64(len(other)), domain.UploadMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(context.Background(), "/Expiring/IMG_3.JPG"); err != nil {
		t.Fatal(err)
	}

	w.clock.Advance(time.Second)
	if n := w.removeExpired(t); n != 1 {
		t.Fatalf("RemoveExpired at the expiry removed %d files, want 1", n)
	}
	if _, ok := w.server.File("/Expiring/IMG_1.JPG"); ok {
		t.Error("IMG_1.JPG is still on the server after its expiry")
	}
	if got := w.remote(t, "/Expiring/IMG_2.JPG"); string(got) != string(other) {
		t.Error("the replaced IMG_2.JPG was changed")
	}
	if n := w.records(t, "/Expiring"); n != 0 {
		t.Errorf("%d records left after the expiry, want none", n)
	}
	if n := w.removeExpired(t); n != 0 {
		t.Errorf("a second RemoveExpired removed %d files", n)
	}
	w.remote(t, "/Expiring/IMG_2.JPG")
}

// TestRemoveExpiredKeepsOtherSizes: a remote file of another size is not
// the one uploaded, and an upload without an expiry never expires.
func TestRemoveExpiredKeepsOtherSizes(t *testing.T) {
	w := expiringUpload(t)
	ph := w.index(t, upFile{"b/IMG_9.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 99})})
	if _, err := w.run(t, domain.DefaultUploadOptions("/Kept"), ph); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	st := memory.NewRemote(w.server)
	if err := st.Upload(context.Background(), "/Expiring/IMG_1.JPG", bytes.NewReader([]byte("short")), 5, domain.UploadMeta{}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(3650 * 24 * time.Hour)
	if n := w.removeExpired(t); n != 2 {
		t.Fatalf("RemoveExpired removed %d files, want 2", n)
	}
	if got := w.remote(t, "/Expiring/IMG_1.JPG"); string(got) != "short" {
		t.Errorf("the replaced IMG_1.JPG = %q", got)
	}
	w.remote(t, "/Kept/IMG_9.JPG")
	if n := w.records(t, "/Kept"); n != 1 {
		t.Errorf("%d records of the upload without an expiry, want 1", n)
	}
}

// TestUploadExpiryInvalid: an expiry longer than MaxExpireDays is refused
// up front.
func TestUploadExpiryInvalid(t *testing.T) {
	w := newUpWorld(t)
	ph := w.index(t, upFile{"a/IMG_1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1})})
	opts := domain.DefaultUploadOptions("/x")
	opts.ExpireAfter = (domain.MaxExpireDays + 1) * 24 * time.Hour
	if _, err := w.run(t, opts, ph); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Upload with a %v expiry = %v, want EINVALID", opts.ExpireAfter, err)
	}
}

// TestSchedulerRemovesExpired: the scheduler's loop removes expired
// uploads when it has the uploader.
func TestSchedulerRemovesExpired(t *testing.T) {
	w := expiringUpload(t)
	w.clock.Advance(8 * 24 * time.Hour)
	s := app.NewScheduler(w.accounts, nil, nil, w.clock, slog.New(slog.DiscardHandler))
	s.Uploader = w.up
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Loop(ctx, time.Hour)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for w.records(t, "/Expiring") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not remove the expired uploads")
		}
		time.Sleep(time.Millisecond) // polling interval
	}
	for _, p := range []string{"/Expiring/IMG_1.JPG", "/Expiring/IMG_2.JPG", "/Expiring/IMG_3.JPG"} {
		if _, ok := w.server.File(p); ok {
			t.Errorf("%s is still on the server", p)
		}
	}
}

// TestUploadAgainRenewsExpiry: uploading the same photos again keeps them
// longer (a later expiry) or for good (no expiry), never shorter.
func TestUploadAgainRenewsExpiry(t *testing.T) {
	w := expiringUpload(t)
	photo := func() domain.Photo {
		t.Helper()
		ph, _, err := w.library.Photos(context.Background(), domain.PhotoQuery{Count: 10})
		if err != nil || len(ph) != 3 {
			t.Fatalf("Photos = %v, %v", ph, err)
		}
		return ph[0]
	}()
	w.clock.Advance(24 * time.Hour)
	shorter := domain.DefaultUploadOptions("/Expiring")
	shorter.ExpireAfter = time.Hour
	if _, err := w.run(t, shorter); err != nil { // all three photos
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Hour)
	if n := w.removeExpired(t); n != 0 {
		t.Fatalf("a shorter expiry asked later removed %d files", n)
	}
	if _, err := w.run(t, domain.DefaultUploadOptions("/Expiring"), photo); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(30 * 24 * time.Hour)
	if n := w.removeExpired(t); n != 2 {
		t.Fatalf("RemoveExpired removed %d files, want the 2 not uploaded again without an expiry", n)
	}
	if n := w.records(t, "/Expiring"); n != 1 {
		t.Errorf("%d records left, want the one kept for good", n)
	}
}
