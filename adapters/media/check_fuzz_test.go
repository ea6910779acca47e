package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// fuzzNames are the names a fuzzed file is checked under, one per kind.
var fuzzNames = []string{"a.jpg", "a.png", "a.gif", "a.webp", "a.bmp", "a.mp4", "a.mov", "a.heic", "a.avif",
	"a.dng", "a.cr2", "a.cr3", "a.raf", "a.orf", "a.tif", "a.mkv", "a.avi", "a.webm"}

// maxReadAt is the largest read the checker may ask for: its buffer.
const maxReadAt = 1 << 20

// boundedReader fails a test that reads more at once than the checker's
// buffer, which a size taken from the file would do.
type boundedReader struct {
	t *testing.T
	r *bytes.Reader
}

func (b boundedReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > maxReadAt {
		b.t.Fatalf("ReadAt of %d bytes", len(p))
	}
	return b.r.ReadAt(p, off)
}

// FuzzCheck feeds hostile bytes to Check and Inspect: neither may panic,
// read more at once than a buffer, or allocate more than a few hundred
// KiB, and both must agree on whether the file is sound.
func FuzzCheck(f *testing.F) {
	for i, s := range samples(f) {
		data := s.data
		if len(data) > 4096 { // small seeds mutate faster; keep the head
			data = data[:4096]
		}
		f.Add(data, uint8(i))
	}
	f.Add(mediatest.StandInDNG(1, 3, 100), uint8(9))
	f.Add(mediatest.StandInMP4(1, 100), uint8(5))
	f.Add(mediatest.StandInHEIC(1, 100), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		name := fuzzNames[int(which)%len(fuzzNames)]
		// A hang is a failure too: the fuzzer keeps the input of a crash.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("checking %s of %d bytes hangs", name, len(data))) })
		defer watchdog.Stop()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := media.NewChecker().Check(context.Background(), name, boundedReader{t, bytes.NewReader(data)}, int64(len(data)))
		runtime.ReadMemStats(&after)
		if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("Check(%s) = %v, want nil or EINVALID", name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Fatalf("Check(%s) of %d bytes allocated %d KiB", name, len(data), grew>>10)
		}
		info, ierr := media.NewInspector().Inspect(context.Background(), name, bytes.NewReader(data), int64(len(data)))
		if ierr != nil {
			t.Fatalf("Inspect(%s): %v", name, ierr)
		}
		switch {
		case len(data) == 0:
		case err == nil && info.Problem != "":
			t.Fatalf("Check(%s) = nil but Inspect found %q", name, info.Problem)
		case err != nil && info.Problem != domain.ProblemCorrupt+": "+strings.TrimPrefix(domain.ErrorMessage(err), "truncated: "):
			t.Fatalf("Check(%s) = %v but Inspect found %q", name, err, info.Problem)
		}
	})
}

// TestCheckHostileSizes checks files whose structures claim sizes far
// beyond the file: each is found broken, in little memory.
func TestCheckHostileSizes(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	u64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	tiff := func(entries int, extra ...byte) []byte {
		b := []byte("II*\x00\x08\x00\x00\x00")
		b = binary.LittleEndian.AppendUint16(b, uint16(entries))
		return append(b, extra...)
	}
	// A DNG whose SubIFDs entry claims 2^32-1 directories, and one whose
	// strips claim 2^32-1 offsets.
	subIFDs := tiff(1, 0x4a, 0x01, 4, 0, 0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 0, 0, 0, 0)
	strips := tiff(2, 0x11, 0x01, 4, 0, 0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0,
		0x17, 0x01, 4, 0, 0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 0, 0, 0, 0)
	loop := tiff(0, 8, 0, 0, 0) // IFD0's next IFD is itself
	tests := []struct {
		name string
		data []byte
	}{
		{"big.png", append([]byte("\x89PNG\r\n\x1a\n\x7f\xff\xff\xffIHDR"), make([]byte, 100)...)},
		{"big.mp4", append(append(append(u32(1), "ftyp"...), u64(1<<62)...), "isom"...)},
		{"big.mp4", append(append(u32(0xffffffff), "ftyp"...), "isom"...)},
		{"big.dng", tiff(0xffff)},
		{"big.dng", subIFDs},
		{"big.dng", strips},
		{"loop.dng", loop},
		{"big.webp", []byte("RIFF\xff\xff\xff\xffWEBPVP8 \xff\xff\xff\xff")},
		{"big.gif", append([]byte("GIF89a\x01\x00\x01\x00\xf7\x00\x00"), make([]byte, 10)...)},
		{"big.jpg", []byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2, 3}},
	}
	check(tests[0].name, tests[0].data) // fill the buffer pool
	for _, tt := range tests {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := check(tt.name, tt.data)
		runtime.ReadMemStats(&after)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Check(%s %q) = %v, want EINVALID", tt.name, tt.data, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 512<<10 {
			t.Errorf("Check(%s) allocated %d KiB", tt.name, grew>>10)
		}
		t.Logf("%s: %v", tt.name, err)
	}
}
