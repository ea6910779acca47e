package media_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
)

// TestInspectLargeVideoInBoundedMemory inspects a 64 MiB stand-in video and
// checks that all the memory allocated while doing so (TotalAlloc, which
// counts what the garbage collector freed too) is a small fraction of the
// file: the file is hashed in chunks, never held.
func TestInspectLargeVideoInBoundedMemory(t *testing.T) {
	const size = 64 << 20
	p := mediatest.WriteVideo(t, t.TempDir(), "big/clip.mp4", 42, size)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := media.NewInspector()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := in.Inspect(context.Background(), "clip.mp4", f, size)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("inspecting %d MiB allocated %d KiB", size>>20, allocated>>10)
	if allocated > 2<<20 {
		t.Errorf("inspecting a %d MiB video allocated %d KiB, want under 2 MiB", size>>20, allocated>>10)
	}
	h := sha1.New()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(h.Sum(nil)); info.SHA1 != want || info.Problem != "" {
		t.Errorf("info = %+v, want SHA-1 %s and no problem", info, want)
	}
}
