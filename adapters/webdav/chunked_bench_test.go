package webdav_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
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
		meta := domain.UploadMeta{SHA1: sum, ModTime: time.Unix(1700000000+int64(i), 0)} // not the file there already
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

// BenchmarkChunkedUploadLarge uploads a large file (2 GiB, or
// PHOTOSYNC_BENCH_CHUNKED_MB MiB) to the test Nextcloud, as make bench's
// "large file up" does, in chunks of 10, 32 and 64 MiB:
//
//   - body=plain: the body is only an io.Reader, so the chunks go one
//     after the other;
//   - body=file: the body is the *os.File, so the chunks go several at
//     once (one after the other before they could);
//
// and over two networks: net=direct (loopback) and net=rtt10ms (through
// the fault proxy, without faults, each request delayed by 0 to 20 ms, a
// round trip of 10 ms on average). It reports the peak rise of the heap
// and the process's peak resident memory (VmHWM, reset before each
// upload) beside the throughput. The test server runs in the process, so
// both memories count its share. Run it with TMPDIR on a tmpfs (e.g.
// TMPDIR=/dev/shm) to time the client and the server rather than the
// disk: the server writes every byte twice (the chunks, then the file).
func BenchmarkChunkedUploadLarge(b *testing.B) {
	size := int64(2 << 30)
	if v := os.Getenv("PHOTOSYNC_BENCH_CHUNKED_MB"); v != "" {
		mb, err := strconv.Atoi(v)
		if err != nil || mb <= 0 {
			b.Fatalf("PHOTOSYNC_BENCH_CHUNKED_MB=%q is not a number of MiB", v)
		}
		size = int64(mb) << 20
	}
	n := davtest.StartNextcloud(b)
	local, sum := randomFile(b, size, 14)
	slow := faultproxy.Start(b, n.DAVURL, faultproxy.Config{Latency: 20 * time.Millisecond})
	client := func(b *testing.B, url string, chunk int64) *webdav.Client {
		c, err := webdav.NewConnectorWithOptions(nil, webdav.Options{ChunkSize: chunk}).
			Client(domain.Credentials{URL: url, Username: n.LoginName, Password: n.Password, Timeout: 30 * time.Second}, domain.TypeNextcloud)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	// Every upload has another modification time, so that none finds its
	// file on the server already (and only reads it through).
	upload := int64(1700000000)
	send := func(b *testing.B, c *webdav.Client, plain bool) error {
		upload++
		mark := len(n.Requests())
		err := uploadFile(context.Background(), b, c, local, "/large.bin", domain.UploadMeta{SHA1: sum, ModTime: time.Unix(upload, 0)}, plain)
		if err == nil && !slices.ContainsFunc(n.Requests()[mark:], func(r davtest.Request) bool { return r.Method == "MOVE" }) {
			b.Fatal("the upload sent no chunks")
		}
		return err
	}
	// Two uploads first, not timed: the first ones after the file was
	// written take seconds longer, while the kernel finds memory for the
	// server's files.
	for range 2 {
		if err := send(b, client(b, n.DAVURL, webdav.DefaultChunkSize), false); err != nil {
			b.Fatal(err)
		}
	}
	for _, net := range []struct{ name, url string }{{"direct", n.DAVURL}, {"rtt10ms", slow.URL}} {
		for _, chunk := range []int64{10 << 20, 32 << 20, 64 << 20} {
			for _, plain := range []bool{true, false} {
				body := "file"
				if plain {
					body = "plain"
				}
				b.Run(fmt.Sprintf("net=%s/chunk=%dMiB/body=%s", net.name, chunk>>20, body), func(b *testing.B) {
					c := client(b, net.url, chunk)
					b.SetBytes(size)
					var peak, hwm uint64
					for b.Loop() {
						resetHWM(b)
						var err error
						peak = max(peak, peakHeap(func() { err = send(b, c, plain) }))
						if err != nil {
							b.Fatal(err)
						}
						hwm = max(hwm, readHWM(b))
					}
					b.ReportMetric(float64(peak), "peak-heap-B")
					b.ReportMetric(float64(hwm), "VmHWM-B")
				})
			}
		}
	}
}

// resetHWM resets the process's peak resident memory (VmHWM) to what is
// resident now (Linux: 5 written to /proc/self/clear_refs).
func resetHWM(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset VmHWM: %v", err)
	}
}

// readHWM reads the process's peak resident memory in bytes.
func readHWM(b *testing.B) uint64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
