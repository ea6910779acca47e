package app_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// TestSyncRecoversUnrecordedUploads: a run killed after sending files but
// before saving their pairs left them on a server that keeps neither a
// checksum nor the sent modification time; another killed in the middle
// of an upload left a truncated copy. The next run links the first
// (nothing moves, no "(1)" copy either side), replaces the truncated one
// with the whole file, and keeps a different short file beside the
// library's as a conflict, losing nothing.
func TestSyncRecoversUnrecordedUploads(t *testing.T) {
	w := newSyncWorld(t)
	sent := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: syncTime, Seed: 21})
	cut := mediatest.RAW(t, 22, 9000)
	other := mediatest.RAW(t, 23, 9000)
	w.write(t, "trip/IMG_1.jpg", sent, syncTime)
	w.write(t, "trip/IMG_2.dng", cut, syncTime)
	w.write(t, "trip/IMG_3.dng", other, syncTime)
	later := syncTime.Add(3 * time.Hour) // the server's time of the upload
	w.put(t, "/Photos/trip/IMG_1.jpg", sent, later)
	w.put(t, "/Photos/trip/IMG_2.dng", cut[:4000], later)
	notPrefix := append([]byte{}, other[:4000]...)
	notPrefix[100] ^= 0xff
	w.put(t, "/Photos/trip/IMG_3.dng", notPrefix, later)

	run := w.sync(t)
	remote := w.files(t, "/Photos")
	if !bytes.Equal(remote["/Photos/trip/IMG_1.jpg"], sent) || !bytes.Equal(remote["/Photos/trip/IMG_2.dng"], cut) {
		t.Errorf("server: IMG_1.jpg %d bytes, IMG_2.dng %d bytes; want %d and %d",
			len(remote["/Photos/trip/IMG_1.jpg"]), len(remote["/Photos/trip/IMG_2.dng"]), len(sent), len(cut))
	}
	if !bytes.Equal(remote["/Photos/trip/IMG_3.dng"], notPrefix) {
		t.Error("server: a short file that is not a truncated copy of the library's was changed")
	}
	lib := w.library(t)
	for p := range lib {
		if p != "trip/IMG_1.jpg" && p != "trip/IMG_2.dng" && p != "trip/IMG_3.dng" && p != "nextcloud/trip/IMG_3.dng" {
			t.Errorf("library: %s should not be there", p)
		}
	}
	for p := range remote {
		if p != "/Photos/trip/IMG_1.jpg" && p != "/Photos/trip/IMG_2.dng" && p != "/Photos/trip/IMG_3.dng" && !bytes.Equal(remote[p], other) {
			t.Errorf("server: %s should not be there", p)
		}
	}
	if run.Uploaded != 2 || run.Downloaded != 1 {
		t.Errorf("run %+v; want IMG_2 and IMG_3 up (IMG_3 beside the server's), the server's IMG_3 down", run)
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}

// TestSyncRecoveryPutsOffWhatItCannotRead: when the server fails the read
// that would tell an unrecorded upload from another file, the run leaves
// both alone (no download, no "(1)" copy) and the next run links them.
func TestSyncRecoveryPutsOffWhatItCannotRead(t *testing.T) {
	w := newSyncWorld(t)
	sent := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: syncTime, Seed: 31})
	w.write(t, "trip/IMG_4.jpg", sent, syncTime)
	w.put(t, "/Photos/trip/IMG_4.jpg", sent, syncTime.Add(time.Hour))
	w.setFault(func(op, p string) error {
		if op == "download" {
			return domain.Errorf(domain.EUNAVAILABLE, "the server is busy")
		}
		return nil
	})
	checkRun(t, w.sync(t), 0, 0, 0)
	if got := w.files(t, "/Photos"); len(got) != 1 {
		t.Errorf("server holds %v", keys(got))
	}
	if got := w.library(t); len(got) != 1 {
		t.Errorf("library holds %v", keys(got))
	}
	w.setFault(nil)
	checkRun(t, w.sync(t), 0, 0, 0)
	checkRun(t, w.sync(t), 0, 0, 0)
	if got, lib := w.files(t, "/Photos"), w.library(t); len(got) != 1 || len(lib) != 1 {
		t.Errorf("server holds %v, library %v", keys(got), keys(lib))
	}
}
