package app_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// The model test of issue 16: random interleavings of edits in the
// library, truncations, overwrites and corruptions on the server, runs
// and runs killed in the middle, in a two-way sync, checked against the
// rule that leads photosync: no run ever destroys the last good copy of a
// file. Before every run, each sound version present anywhere (the
// library, its versions area, the server, the server's versions folder)
// is noted; after the run, each must still be somewhere. What a person or
// another client destroys is theirs to destroy; a run may not.

// crashingStorage ends the run's context after a number of storage
// operations, as a kill in the middle of the run would stop it.
type crashingStorage struct {
	ports.RemoteStorage
	left   *atomic.Int64
	cancel context.CancelFunc
}

func (s crashingStorage) tick() {
	if s.left.Add(-1) == 0 {
		s.cancel()
	}
}

func (s crashingStorage) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	s.tick()
	return s.RemoteStorage.Upload(ctx, p, body, size, meta)
}

func (s crashingStorage) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	s.tick()
	return s.RemoteStorage.Download(ctx, p)
}

func (s crashingStorage) Move(ctx context.Context, from, to string) error {
	s.tick()
	return s.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

func TestNoRunEverDestroysTheLastGoodCopy(t *testing.T) {
	seeds := faultproxy.Scale(4, 40)
	steps := faultproxy.Scale(40, 200)
	for seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			modelRun(t, uint64(seed), steps)
		})
	}
}

func modelRun(t *testing.T, seed uint64, steps int) {
	w := newSyncWorld(t)
	rng := rand.New(rand.NewPCG(seed, 16))
	names := []string{"a/IMG_1.jpg", "a/IMG_2.jpg", "b/IMG_3.jpg", "b/c/IMG_4.jpg"}
	contents := 0
	fresh := func() []byte {
		contents++
		return mediatest.JPEG(t, mediatest.JPEGOptions{Width: 96, Height: 64, Seed: int64(seed)*1000 + int64(contents)})
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { now = now.Add(time.Minute); w.clock.Advance(time.Minute); return now }
	for _, n := range names {
		w.write(t, n, fresh(), tick())
	}
	var crashLeft atomic.Int64
	var crashCancel atomic.Value // context.CancelFunc
	w.wrap = func(inner ports.RemoteStorage) ports.RemoteStorage {
		c, _ := crashCancel.Load().(context.CancelFunc)
		if c == nil {
			return inner
		}
		return crashingStorage{inner, &crashLeft, c}
	}
	checker := media.NewChecker()
	var log []string
	for step := range steps {
		name := names[rng.IntN(len(names))]
		switch op := rng.IntN(10); {
		case op < 2: // a person edits the library's copy
			w.write(t, name, fresh(), tick())
			log = append(log, "edit "+name)
		case op == 2: // the library's copy is cut short
			if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil && len(data) > 10 {
				w.write(t, name, data[:rng.IntN(len(data)-1)+1], tick())
				log = append(log, "truncate "+name)
			}
		case op == 3: // another client puts a new version on the server
			w.put(t, "/Photos/"+name, fresh(), tick())
			log = append(log, "server edit "+name)
		case op == 4: // the server's copy is damaged
			if data, ok := w.server.File("/Photos/" + name); ok && len(data) > 0 {
				bad := []byte{}
				switch rng.IntN(3) {
				case 1:
					bad = data[:rng.IntN(len(data))]
				case 2:
					bad = make([]byte, len(data))
					for i := range bad {
						bad[i] = byte(rng.Uint32())
					}
				}
				w.put(t, "/Photos/"+name, bad, tick())
				log = append(log, "server damage "+name)
			}
		default: // a run, killed in the middle one time in three
			before := goodCopies(t, w, checker)
			ctx, cancel := context.WithCancel(context.Background())
			crash := rng.IntN(3) == 0
			if crash {
				crashLeft.Store(int64(rng.IntN(6) + 1))
				crashCancel.Store(cancel)
			}
			by := app.ByHand
			if rng.IntN(4) == 0 {
				by = app.ByConfirmation
			}
			_, err := runOf(w.syncer.Run(ctx, w.account.ID, by, true))
			cancel()
			crashCancel.Store(context.CancelFunc(nil))
			if err != nil && !crash {
				t.Fatalf("step %d: run: %v", step, err)
			}
			log = append(log, fmt.Sprintf("run (crash %v, err %v)", crash, err))
			after := goodCopies(t, w, checker)
			for sum, where := range before {
				if _, ok := after[sum]; !ok {
					t.Fatalf("step %d: the run destroyed the last good copy %s (was at %s)\nhistory:\n%v", step, sum[:12], where, log)
				}
			}
			w.clock.Advance(time.Hour) // past any backoff
		}
	}
}

// goodCopies answers every sound version present anywhere, by its SHA-1,
// with one place that holds it.
func goodCopies(t *testing.T, w *syncWorld, checker ports.ContentChecker) map[string]string {
	t.Helper()
	out := map[string]string{}
	note := func(where, name string, data []byte) {
		if err := checker.Check(context.Background(), name, bytesReaderAt(data), int64(len(data))); err != nil {
			return
		}
		s := sha1.Sum(data)
		out[hex.EncodeToString(s[:])] = where
	}
	filepath.WalkDir(w.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".jpg" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			note("library "+p, p, data)
		}
		return nil
	})
	var walk func(string)
	walk = func(dir string) {
		entries, err := w.remote.List(context.Background(), dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir {
				walk(e.Path)
				continue
			}
			if data, ok := w.server.File(e.Path); ok {
				note("server "+e.Path, e.Path, data)
			}
		}
	}
	walk("/")
	return out
}

type bytesRA []byte

func (b bytesRA) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func bytesReaderAt(b []byte) io.ReaderAt { return bytesRA(b) }
