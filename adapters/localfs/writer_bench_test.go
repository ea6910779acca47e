package localfs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// BenchmarkWriteFile writes what a first download of a photo library
// writes: 400 files of 1.3 MB in 20 folders, files of one folder in a row,
// by 4 writers at once (the sync's default parallelism), from memory so
// that only the writer is measured. Every write checks a known SHA-1, as
// a download from Nextcloud does. One op is the whole library, written by
// a new Writer into a new folder.
//
// The 64KB case writes 400 small files, where the cost of each file's
// system calls outweighs the cost of its bytes. Besides the time, each
// reports the CPU time (user and system) the process spent per op, which
// the disk's changing speed disturbs less.
func BenchmarkWriteFile(b *testing.B) {
	b.Run("1.3MB", func(b *testing.B) { benchmarkWriteFile(b, 1300<<10) })
	b.Run("64KB", func(b *testing.B) { benchmarkWriteFile(b, 64<<10) })
}

func benchmarkWriteFile(b *testing.B, size int) {
	const (
		files   = 400
		folders = 20
		workers = 4
	)
	pool := make([]byte, size+files*64)
	rand.Read(pool)
	type file struct {
		path string
		data []byte
		sum  domain.Checksum
	}
	all := make([]file, files)
	for i := range all {
		data := pool[i*64 : i*64+size] // every file differs from the others
		s := sha1.Sum(data)
		all[i] = file{
			path: fmt.Sprintf("%02d/IMG_%04d.jpg", i/(files/folders), i),
			data: data,
			sum:  domain.SHA1Checksum(hex.EncodeToString(s[:])),
		}
	}
	ctx := context.Background()
	base := b.TempDir()
	b.SetBytes(int64(files * size))
	var cpu time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dir := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		w := localfs.NewWriter(dir)
		cpuStart := cpuTime(b)
		b.StartTimer()

		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for {
					n := next.Add(1) - 1
					if n >= files {
						return
					}
					f := all[n]
					if _, err := w.WriteFile(ctx, f.path, bytes.NewReader(f.data), int64(size), modTime, f.sum, false); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()

		b.StopTimer()
		cpu += cpuTime(b) - cpuStart
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		// Removing the files costs the next run's file creations a little
		// (ext4 without a journal, as on this project's machines, looks
		// past inodes freed in the last 30 seconds), as it does between
		// the runs of make bench; keeping them all would measure the
		// disk's sustained write rate instead.
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriteFileLarge writes one file of 1 GiB, as a long video is
// downloaded, from a reader that repeats 4 MiB of random bytes.
func BenchmarkWriteFileLarge(b *testing.B) {
	const size = 1 << 30
	block := make([]byte, 4<<20)
	rand.Read(block)
	ctx := context.Background()
	base := b.TempDir()
	b.SetBytes(size)
	var cpu time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dir := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		w := localfs.NewWriter(dir)
		cpuStart := cpuTime(b)
		b.StartTimer()
		if _, err := w.WriteFile(ctx, "videos/long.mp4", &repeatReader{block: block, left: size}, size, modTime, domain.Checksum{}, false); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime(b) - cpuStart
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// repeatReader reads block again and again, left bytes in all.
type repeatReader struct {
	block []byte
	off   int
	left  int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}
