package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestServeIndexesOnStart: serve indexes the library when it starts, the
// photos and their thumbnails are served, and an index can be asked for.
func TestServeIndexesOnStart(t *testing.T) {
	lib := t.TempDir()
	taken := time.Date(2021, 6, 5, 14, 30, 0, 0, time.UTC)
	mediatest.WriteFile(t, lib, "2021/IMG_0001.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 640, Height: 480, TakenAt: taken, Seed: 1}))
	mediatest.WriteFile(t, lib, "2021/IMG_0001.xmp", mediatest.Sidecar(t, "IMG_0001"))
	mediatest.WriteFile(t, lib, "2021/IMG_0002.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200, TakenAt: taken.Add(time.Hour), Seed: 2}))
	mediatest.WriteFile(t, lib, "empty.jpg", nil)
	in := startServe(t, t.TempDir(), map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e", "PHOTOSYNC_LIBRARY": lib})
	in.login("admin-e2e")

	type page struct {
		Total  int
		Photos []struct {
			ID      int64
			Name    string
			TakenAt time.Time `json:"taken_at"`
			Files   []struct{ Path, Kind, Role, SHA1 string }
		}
	}
	var p page
	deadline := time.Now().Add(20 * time.Second)
	if !testkit.Poll(time.Until(deadline), 20*time.Millisecond, func() bool { in.call("GET", "/api/v1/photos", nil, &p); return p.Total >= 2 }) {
		t.Fatalf("the library was not indexed on start: %+v", p)
	}
	if p.Total != 2 || p.Photos[0].Name != "IMG_0002" || len(p.Photos[1].Files) != 2 || !p.Photos[1].TakenAt.Equal(taken) {
		t.Fatalf("photos: %+v", p)
	}

	res, thumb := in.client().Do("GET", fmt.Sprintf("/api/v1/photos/%d/thumb?size=tile_224", p.Photos[0].ID), nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || len(thumb) < 100 {
		t.Fatalf("thumb: %d %s %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(thumb))
	}

	// A new file and an index by hand.
	mediatest.WriteFile(t, lib, filepath.Join("2022", "new.jpg"), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 100, Height: 100, Seed: 3}))
	// POST /library/index while the start-up index still runs answers
	// that job (not 409): wait for it, and ask again until an index that
	// began after new.jpg was written has run.
	var job struct {
		ID    int64
		State string
	}
	var jobs struct {
		Jobs []struct{ ID int64 }
	}
	in.call("GET", "/api/v1/jobs?kind=index&limit=50", nil, &jobs)
	if len(jobs.Jobs) == 0 {
		t.Fatal("no start-up index job")
	}
	startup := jobs.Jobs[len(jobs.Jobs)-1].ID // newest first
	for {
		if st := in.call("POST", "/api/v1/library/index", nil, &job); st != 202 {
			t.Fatalf("index: %d", st)
		}
		ended := testkit.Poll(time.Until(deadline), 20*time.Millisecond, func() bool {
			if job.State == "queued" || job.State == "running" {
				in.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), nil, &job)
			}
			return job.State != "queued" && job.State != "running"
		})
		if !ended {
			t.Fatalf("the index job did not end: %+v", job)
		}
		if job.ID != startup {
			break
		}
	}
	// The empty file makes the start-up index partial; this one found nothing new wrong.
	if in.call("GET", "/api/v1/photos", nil, &p); p.Total != 3 || job.State != "done" {
		t.Fatalf("after index: job %+v, %d photos", job, p.Total)
	}
}
