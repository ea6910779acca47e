package webdav_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// peakHeap runs fn while sampling the bytes of heap objects every
// millisecond, and returns the highest rise over what there was before.
// The test's own Nextcloud server runs in the process, so its memory
// counts too.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base, peak := s[0].Value.Uint64(), s[0].Value.Uint64()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak - base
}

// TestChunkedUploadMemoryBounded: sending 50 MiB in 5 MiB chunks, through
// the app's kind of body (read through once) and an *os.File, raises the
// heap by less than one chunk: nothing is buffered, whatever the size.
func TestChunkedUploadMemoryBounded(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 50<<20, 9)
	for i, plain := range []bool{false, true} {
		meta := domain.UploadMeta{SHA1: sum, ModTime: time.Unix(int64(i+1), 0)} // not the file there already
		var err error
		rise := peakHeap(func() {
			err = uploadFile(context.Background(), t, c, local, "/big.bin", meta, plain)
		})
		if err != nil {
			t.Fatal(err)
		}
		if rise >= testChunk {
			t.Errorf("plain reader %v: the heap rose by %d bytes, want less than a chunk (%d)", plain, rise, testChunk)
		}
		t.Logf("plain reader %v: peak heap rise %d KiB for a 50 MiB upload", plain, rise>>10)
	}
}

// BenchmarkChunkedUpload uploads 50 MiB in 5 MiB chunks to the test
// Nextcloud, reporting the peak rise of the heap during an upload
// (peak-heap-B) beside the throughput.
func BenchmarkChunkedUpload(b *testing.B) {
	const size = 50 << 20
	n := davtest.StartNextcloud(b)
	c := chunkedClient(b, n)
	local, sum := randomFile(b, size, 10)
	b.SetBytes(size)
	var peak uint64
	i := 0
	for b.Loop() {
		i++
		meta := domain.UploadMeta{SHA1: sum, ModTime: time.Unix(int64(i), 0)} // a new upload each time
		var err error
		peak = max(peak, peakHeap(func() {
			err = uploadFile(context.Background(), b, c, local, "/bench.bin", meta, true)
		}))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak), "peak-heap-B")
}
