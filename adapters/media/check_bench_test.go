package media_test

import (
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
)

// benchLibrary writes a library like a camera's to a temporary folder
// once per benchmark: 12 JPEGs of 12 MP (4 MB each, one encoded picture
// with different comment segments), two 24 MB DNGs and a 64 MB MP4. It
// returns the paths and their total size.
func benchLibrary(b *testing.B) ([]string, int64) {
	b.Helper()
	dir := b.TempDir()
	jpg, err := mediatest.CameraJPEG(4000, 3000, 1, time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	var paths []string
	var total int64
	add := func(name string, data []byte) {
		paths = append(paths, mediatest.WriteFile(b, dir, name, data))
		total += int64(len(data))
	}
	for i := range 12 {
		add(fmt.Sprintf("IMG_%04d.JPG", i), mediatest.JPEGVariant(jpg, int64(i), 2000+i))
	}
	add("RAW_0001.DNG", mediatest.StandInDNG(1, 24, 1<<20))
	add("RAW_0002.DNG", mediatest.StandInDNG(2, 24, 1<<20))
	add("CLIP_0001.MP4", mediatest.StandInMP4(3, 64<<20))
	return paths, total
}

// readAll reads every file with workers goroutines, each file through fn.
func readAll(b *testing.B, paths []string, workers int, fn func(f *os.File, size int64) error) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range work {
				f, err := os.Open(p)
				if err != nil {
					b.Error(err)
					continue
				}
				fi, err := f.Stat()
				if err == nil {
					err = fn(f, fi.Size())
				}
				f.Close()
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
}

// BenchmarkIndexRead measures a first index's reading of new files from
// the page cache: SHA-1 alone (the floor), Inspect (SHA-1, structure and
// metadata in one pass) by buffer size and workers, and the full decode
// the index did before. Run with -benchtime 3x; the figures are in
// docs/integrity.md.
func BenchmarkIndexRead(b *testing.B) {
	paths, total := benchLibrary(b)
	in := media.NewInspector()
	inspect := func(f *os.File, size int64) error {
		info, err := in.Inspect(context.Background(), f.Name(), f, size)
		if err == nil && info.Problem != "" {
			err = fmt.Errorf("%s: %s", f.Name(), info.Problem)
		}
		return err
	}
	readAll(b, paths, 2, inspect) // into the page cache
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("sha1/workers=%d", workers), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				readAll(b, paths, workers, func(f *os.File, _ int64) error {
					buf := make([]byte, 256<<10)
					// Hide *os.File's WriteTo, which would copy 32 KiB at a time.
					_, err := io.CopyBuffer(sha1.New(), struct{ io.Reader }{f}, buf)
					return err
				})
			}
		})
	}
	for _, size := range []int{64 << 10, 256 << 10, 1 << 20} {
		for _, workers := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("inspect/buf=%dK/workers=%d", size>>10, workers), func(b *testing.B) {
				defer media.SetCheckBufSize(media.SetCheckBufSize(size))
				b.SetBytes(total)
				for b.Loop() {
					readAll(b, paths, workers, inspect)
				}
			})
		}
	}
	b.Run("check/workers=2", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			readAll(b, paths, 2, func(f *os.File, size int64) error {
				return media.NewChecker().Check(context.Background(), f.Name(), f, size)
			})
		}
	})
	jpegs := paths[:12]
	var jpegBytes int64
	for _, p := range jpegs {
		fi, _ := os.Stat(p)
		jpegBytes += fi.Size()
	}
	for _, deep := range []bool{false, true} {
		b.Run(fmt.Sprintf("jpeg-only/deep=%v/workers=2", deep), func(b *testing.B) {
			b.SetBytes(jpegBytes)
			for b.Loop() {
				readAll(b, jpegs, 2, func(f *os.File, size int64) error {
					if deep {
						_, err := in.InspectDeep(context.Background(), f.Name(), f, size)
						return err
					}
					return inspect(f, size)
				})
			}
		})
	}
}
