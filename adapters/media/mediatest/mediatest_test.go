package mediatest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

func TestGeneratorsAreDeterministic(t *testing.T) {
	opts := mediatest.JPEGOptions{Width: 50, Height: 40, TakenAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), Orientation: 6, Seed: 9}
	tests := []struct {
		name      string
		gen       func(seed int64) []byte
		wantStart []byte
	}{
		{"jpeg", func(seed int64) []byte { o := opts; o.Seed = seed; return mediatest.JPEG(t, o) }, []byte{0xff, 0xd8, 0xff, 0xe1}},
		{"raw", func(seed int64) []byte { return mediatest.RAW(t, seed, 3000) }, []byte("II*\x00")},
		{"video", func(seed int64) []byte { return mediatest.Video(t, seed, 3000) }, []byte("\x00\x00\x00\x18ftyp")},
	}
	for _, tt := range tests {
		a, b, c := tt.gen(1), tt.gen(1), tt.gen(2)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the same seed gave different bytes", tt.name)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: different seeds gave the same bytes", tt.name)
		}
		if !bytes.HasPrefix(a, tt.wantStart) {
			t.Errorf("%s starts with % x, want % x", tt.name, a[:8], tt.wantStart)
		}
	}
	if got := len(mediatest.RAW(t, 1, 3000)); got != 3000 {
		t.Errorf("RAW is %d bytes, want 3000", got)
	}
	if got := len(mediatest.Video(t, 1, 3000)); got != 3000 {
		t.Errorf("Video is %d bytes, want 3000", got)
	}
}

func TestCorruptAndSidecar(t *testing.T) {
	c := mediatest.Corrupt(t)
	if !bytes.HasPrefix(c, []byte{0xff, 0xd8}) || bytes.HasSuffix(c, []byte{0xff, 0xd9}) || !bytes.Contains(c, []byte{0xff, 0xda}) {
		t.Error("Corrupt is not a JPEG cut after the start of its scan")
	}
	x := mediatest.Sidecar(t, "IMG_0042")
	if !bytes.HasPrefix(x, []byte("<?xpacket begin=")) || !bytes.Contains(x, []byte("IMG_0042")) {
		t.Errorf("Sidecar = %s", x)
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	p := mediatest.WriteFile(t, dir, "a/b/c.png", mediatest.PNG(t, 3, 2))
	if p != filepath.Join(dir, "a", "b", "c.png") {
		t.Errorf("WriteFile path %s", p)
	}
	v := mediatest.WriteVideo(t, dir, "v/clip.mp4", 3, 1<<20+5)
	got, err := os.ReadFile(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, mediatest.Video(t, 3, 1<<20+5)) {
		t.Error("WriteVideo and Video differ")
	}
}
