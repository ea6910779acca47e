package webdav_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// BenchmarkDownloadLarge downloads a file of 1 GiB from Apache into a
// library, as the sync does (unchecked, written and hashed by the
// library's writer), in one stream and in four.
func BenchmarkDownloadLarge(b *testing.B) {
	const size = 1 << 30
	s := davtest.StartApache(b)
	block := make([]byte, 4<<20)
	rand.Read(block)
	f, err := os.Create(filepath.Join(s.Dir, "video.mp4"))
	if err != nil {
		b.Fatal(err)
	}
	for range size / len(block) {
		rand.Read(block[:64]) // no two blocks alike
		if _, err := f.Write(block); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(s.Dir, "video.mp4"), old, old); err != nil {
		b.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(s.Dir, "video.mp4"), 0o644); err != nil {
		b.Fatal(err)
	}
	st, err := webdav.NewConnector(nil).Open(domain.Credentials{URL: s.URL, Username: s.Username, Password: s.Password, Timeout: 10 * time.Second}, domain.TypeWebDAV)
	if err != nil {
		b.Fatal(err)
	}
	for _, streams := range []int{1, 4} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			b.SetBytes(size)
			base := b.TempDir()
			for i := range b.N {
				b.StopTimer()
				lib := filepath.Join(base, fmt.Sprint(i))
				if err := os.Mkdir(lib, 0o755); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rc, rf, err := st.(ports.Downloader).DownloadWith(context.Background(), "/video.mp4", ports.DownloadOptions{Streams: streams})
				if err != nil {
					b.Fatal(err)
				}
				_, err = localfs.NewWriter(lib).WriteFile(context.Background(), "video.mp4", rc, rf.Size, rf.ModTime, rf.Checksum, false)
				rc.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.RemoveAll(lib); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
