package media_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// BenchmarkThumbnailKinds makes a 224-pixel thumbnail of one file of each
// kind, uncached, and reports beside the time per thumbnail:
//
//   - first-ms: the first thumbnail of the kind in the process, which for
//     HEIC and AVIF includes compiling the WebAssembly decoder;
//   - peak-MiB: the most Go heap the thumbnail held above what was live
//     before it (the WebAssembly decoders' memory is Go heap too), sampled
//     every 200 µs, the highest over the iterations;
//   - child-MiB: for ffmpeg, the peak resident memory of the ffmpeg
//     process (getrusage of the children).
//
// The real samples of ../shared/testdata/media are used where present (an
// iPhone 7 HEIC of 4032×3024, a 1204×800 AVIF, a Canon DNG with a 1024×683
// preview, a 640×416 MP4), else generated stand-ins. The results are in
// docs/media.md.
func BenchmarkThumbnailKinds(b *testing.B) {
	shared, _ := filepath.Abs(sharedMedia)
	if _, err := os.Stat(shared); err != nil {
		shared = ""
	}
	pick := func(sharedName, fallback string, gen func() []byte) (string, []byte) {
		if shared != "" {
			if data, err := os.ReadFile(filepath.Join(shared, sharedName)); err == nil {
				return sharedName, data
			}
		}
		return fallback, gen()
	}
	ffmpeg := ffmpegPath(b)
	kinds := []struct {
		kind string
		name string
		data []byte
		opts []media.Option
	}{}
	add := func(kind, name string, data []byte, opts ...media.Option) {
		kinds = append(kinds, struct {
			kind string
			name string
			data []byte
			opts []media.Option
		}{kind, name, data, opts})
	}
	add("jpeg-12MP", "big.jpg", mediatest.JPEG(b, mediatest.JPEGOptions{Width: 4000, Height: 3000, Orientation: 6}))
	n, d := pick("iphone_7.heic", "corners.heic", func() []byte { return fixture(b, "corners.heic") })
	add("heic", n, d)
	n, d = pick("fox.profile0.8bpc.yuv420.avif", "corners.avif", func() []byte { return fixture(b, "corners.avif") })
	add("avif", n, d)
	n, d = pick("canon_eos_6d.dng", "gen.dng", func() []byte {
		return mediatest.DNG(b, mediatest.DNGOptions{Preview: mediatest.JPEG(b, mediatest.JPEGOptions{Width: 1024, Height: 683})})
	})
	add("dng-preview", n, d)
	add("cr3-preview", "gen.cr3", mediatest.CR3(b, mediatest.JPEG(b, mediatest.JPEGOptions{Width: 1620, Height: 1080})))
	add("video-poster", "poster.mp4", mediatest.MP4(b, mediatest.MP4Options{Duration: time.Minute, Width: 1920, Height: 1080}))
	if ffmpeg != "" {
		n, d = pick("christmas.mp4", "gen.mp4", func() []byte {
			p := filepath.Join(b.TempDir(), "gen.mp4")
			if out, err := exec.Command(ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25:duration=3", p).CombinedOutput(); err != nil {
				b.Fatalf("ffmpeg: %v: %s", err, out)
			}
			data, _ := os.ReadFile(p)
			return data
		})
		add("video-ffmpeg", n, d, media.WithFFmpeg(ffmpeg))
	}
	for _, k := range kinds {
		b.Run(k.kind, func(b *testing.B) {
			root := b.TempDir()
			mediatest.WriteFile(b, root, k.name, k.data)
			th := media.NewThumbnails(root, b.TempDir(), k.opts...)
			f := domain.LibraryFile{Path: k.name, Kind: domain.KindOf(k.name)} // no checksum: never cached
			thumb := func() {
				if _, err := th.Thumbnail(context.Background(), f, 224); err != nil {
					b.Fatalf("%s: %v", k.name, err)
				}
			}
			start := time.Now()
			thumb()
			first := time.Since(start)
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				base := heapBytes()
				stop := samplePeak(base)
				b.StartTimer()
				thumb()
				b.StopTimer()
				peak = max(peak, stop())
				b.StartTimer()
			}
			// (b.Loop drops metrics reported before it.)
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			if len(k.opts) > 0 {
				var ru syscall.Rusage
				if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
					b.ReportMetric(float64(ru.Maxrss)/1024, "child-MiB")
				}
			}
		})
	}
}

// heapBytes is the memory of the Go heap's objects, live or not yet
// swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak samples heapBytes until the returned function is called,
// which answers the highest sample above base.
func samplePeak(base uint64) func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if h := heapBytes(); h > base && h-base > peak.Load() {
				peak.Store(h - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		if h := heapBytes(); h > base && h-base > peak.Load() {
			peak.Store(h - base)
		}
		return peak.Load()
	}
}
