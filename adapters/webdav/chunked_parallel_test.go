package webdav_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// These tests send the chunks of a file several at once (the body is an
// *os.File, read at each chunk's offset) into what can go wrong meanwhile:
// a chunk broken mid-way, a cancellation, a file changing under the
// upload, a server that fails at random.

// chunkPut returns the number of the chunk a request PUTs into an upload
// folder, 0 for any other request.
func chunkPut(r *http.Request) int {
	if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/remote.php/dav/uploads/") {
		return 0
	}
	var i int
	if _, err := fmt.Sscanf(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], "%d", &i); err != nil {
		return 0
	}
	return i
}

// noUploadGoroutines fails the test when a goroutine of a chunked upload
// is still running: every one must have ended when Upload returns.
func noUploadGoroutines(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "webdav.(*chunkedUpload)") {
			t.Fatalf("a goroutine of the upload outlived it:\n%s", g)
		}
	}
}

// TestChunkedUploadSendsChunksAtOnce: the chunks of a file go four at
// once (the server holds the first ones until four are there), never
// more, each once, and the file assembled from them is the one sent.
func TestChunkedUploadSendsChunksAtOnce(t *testing.T) {
	var (
		mu       sync.Mutex
		arrived  int
		inFlight int
		most     int
	)
	four := make(chan struct{})
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if chunkPut(r) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			arrived++
			inFlight++
			most = max(most, inFlight)
			first := arrived <= 4
			if arrived == 4 {
				close(four)
			}
			mu.Unlock()
			if first {
				select {
				case <-four:
				case <-time.After(10 * time.Second): // the upload sends fewer at once: the test fails below
				}
			}
			next.ServeHTTP(w, r)
			mu.Lock()
			inFlight--
			mu.Unlock()
		})
	}))
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 10*testChunk+12345, 20)
	if err := uploadFile(context.Background(), t, c, local, "/at-once.bin", domain.UploadMeta{SHA1: sum}, false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if most != 4 {
		t.Fatalf("at most %d chunks were sent at once, want 4", most)
	}
	if got, want := n.ReadFile(t, "at-once.bin"), mustRead(t, local); !bytes.Equal(got, want) {
		t.Fatalf("the server holds %d bytes that are not the %d sent", len(got), len(want))
	}
	reqs, short := uploadRequests(n, 0)
	if sent, twice := storedChunks(reqs); !slices.Equal(sent, chunkRange(1, 11)) || twice || short[len(short)-1] != "MOVE .file" {
		t.Fatalf("requests %q: chunks %v, want 1 to 11 once each, then the MOVE", short, sent)
	}
	noUploadGoroutines(t)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// breakChunk3 is a middleware for the first try of an upload: chunks 1
// and 2 are stored, chunk 3 breaks in the middle of its body (the
// connection reset once 1 and 2 are stored) and every other chunk waits,
// unstored, until its client gives up. So the server holds exactly
// chunks 1 and 2 when the upload has failed.
type breakChunk3 struct {
	t       *testing.T
	mu      sync.Mutex
	off     bool
	stored  int
	active  int
	twoDone chan struct{}
}

func (b *breakChunk3) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := chunkPut(r)
		b.mu.Lock()
		off := b.off
		if i != 0 {
			b.active++
		}
		b.mu.Unlock()
		if i == 0 || off {
			next.ServeHTTP(w, r)
			b.done(i)
			return
		}
		defer b.done(i)
		switch i {
		case 1, 2:
			next.ServeHTTP(w, r)
			b.mu.Lock()
			if b.stored++; b.stored == 2 {
				close(b.twoDone)
			}
			b.mu.Unlock()
		case 3:
			select {
			case <-b.twoDone:
			case <-time.After(10 * time.Second):
				b.t.Errorf("chunks 1 and 2 were not both sent while chunk 3 was")
			}
			_, _ = io.CopyN(io.Discard, r.Body, r.ContentLength/2)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				b.t.Errorf("hijack: %v", err)
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // a reset, not a clean close
			}
			conn.Close()
		default:
			holdUntilGone(w, r)
		}
	})
}

func (b *breakChunk3) done(i int) {
	if i == 0 {
		return
	}
	b.mu.Lock()
	b.active--
	b.mu.Unlock()
}

// TestChunkedUploadChunkBreaks: chunk 3 breaks mid-way while others are
// on their way. The upload fails with that error (a remote one, not the
// cancellation of the others), its other sends stop, the folder stays to
// resume from, nothing is assembled, and no goroutine outlives the
// upload. Tried again, the upload sends chunks 3 to 10 only, once each.
func TestChunkedUploadChunkBreaks(t *testing.T) {
	b := &breakChunk3{t: t, twoDone: make(chan struct{})}
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(b.middleware))
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 10*testChunk, 21)
	meta := domain.UploadMeta{SHA1: sum, ModTime: time.Unix(1700000000, 0)}
	err := uploadFile(context.Background(), t, c, local, "/broken.bin", meta, false)
	if err == nil || errors.Is(err, context.Canceled) || !domain.IsRemote(err) || domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("upload with a chunk broken mid-way: %v (code %s), want a remote EUNAVAILABLE", err, domain.ErrorCode(err))
	}
	noUploadGoroutines(t)
	if left := n.UploadFolders(); len(left) != 1 {
		t.Fatalf("upload folders after the failure: %q, want the one to resume from", left)
	}
	for _, r := range n.Requests() {
		if r.Method == "MOVE" {
			t.Fatal("the failed upload was assembled")
		}
	}
	waitFor(t, "the failed upload's requests to end", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.active == 0
	})

	b.mu.Lock()
	b.off = true
	b.mu.Unlock()
	mark := len(n.Requests())
	if err := uploadFile(context.Background(), t, c, local, "/broken.bin", meta, false); err != nil {
		t.Fatal(err)
	}
	reqs, short := uploadRequests(n, mark)
	if sent, twice := storedChunks(reqs); !slices.Equal(sent, chunkRange(3, 10)) || twice ||
		!strings.HasPrefix(short[0], "PROPFIND photosync-") || short[len(short)-1] != "MOVE .file" {
		t.Fatalf("the upload tried again sent %q: chunks %v, want a listing, chunks 3 to 10 once each, the MOVE", short, sent)
	}
	if got, want := n.ReadFile(t, "broken.bin"), mustRead(t, local); !bytes.Equal(got, want) {
		t.Fatal("the assembled file is not the one sent")
	}
	if left := n.UploadFolders(); len(left) != 0 {
		t.Fatalf("upload folders left: %q", left)
	}
}

// TestChunkedUploadCancelledMidway: an upload cancelled while chunks are
// on their way returns context.Canceled once every one of its requests
// and goroutines has ended, keeping its folder to resume from.
func TestChunkedUploadCancelledMidway(t *testing.T) {
	var kill cancelAfterChunks
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(kill.middleware))
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 10*testChunk, 22)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kill.arm(cancel, 3) // the fourth chunk is on its way then, and more follow
	err := uploadFile(ctx, t, c, local, "/cancelled.bin", domain.UploadMeta{SHA1: sum}, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled upload: %v, want context.Canceled", err)
	}
	noUploadGoroutines(t)
	if left := n.UploadFolders(); len(left) != 1 {
		t.Fatalf("upload folders after the cancellation: %q, want the one to resume from", left)
	}
	kill.quiet(t)
	if kept, _ := storedChunks(n.Requests()); len(kept) != 3 {
		t.Fatalf("the server stored chunks %v, want the 3 before the cancellation", kept)
	}
}

// stuckFile is a file whose read at one offset waits for release, as a
// read from a slow disk or network share would.
type stuckFile struct {
	*os.File
	at       int64
	stuck    chan struct{} // closed when the read at at has started
	release  chan struct{}
	once     sync.Once
	mu       sync.Mutex
	returned bool // set when Upload returned
	late     int  // reads after that
}

func (f *stuckFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	if f.returned {
		f.late++
	}
	f.mu.Unlock()
	if off == f.at {
		f.once.Do(func() { close(f.stuck) })
		<-f.release
	}
	return f.File.ReadAt(p, off)
}

// TestChunkedUploadCancelledWhileReading: an upload cancelled while the
// read of one of its chunks is stuck returns only once that read ended,
// and then never reads the file again: the caller may close it.
func TestChunkedUploadCancelledWhileReading(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 10*testChunk, 25)
	file, err := os.Open(local)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	f := &stuckFile{File: file, at: 3 * testChunk, stuck: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := c.Upload(ctx, "/stuck.bin", f, 10*testChunk, domain.UploadMeta{SHA1: sum})
		f.mu.Lock()
		f.returned = true
		f.mu.Unlock()
		done <- err
	}()
	<-f.stuck // chunk 4 is being read
	cancel()
	// Upload must wait for the stuck read: it is found waiting for its
	// sends to end, not returned.
	waitFor(t, "the upload to wait for its sends", func() bool {
		select {
		case err := <-done:
			t.Fatalf("Upload returned (%v) while the read of chunk 4 was stuck", err)
		default:
		}
		return waitingForSends()
	})
	close(f.release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled upload: %v, want context.Canceled", err)
	}
	noUploadGoroutines(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.late != 0 {
		t.Fatalf("the file was read %d times after Upload returned", f.late)
	}
}

// waitingForSends reports whether a goroutine of sendParallel waits for
// its sends to end.
func waitingForSends() bool {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "sync.(*WaitGroup).Wait") && strings.Contains(g, "webdav.(*chunkedUpload).sendParallel(") {
			return true
		}
	}
	return false
}

// alterChunk5 is a middleware that changes the first 4 KiB of chunk 5 in
// the local file once a first chunk is on the server (before the client
// hears so, so before it starts chunk 5), and puts the bytes back once
// chunk 5 is on the server (again before the client hears so). Chunk 5
// is sent changed; the file read afterwards is the original one, whose
// SHA-1 is the one given.
type alterChunk5 struct {
	t    *testing.T
	file string
	mu   sync.Mutex
	orig []byte
}

func (a *alterChunk5) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		i := chunkPut(r)
		if i == 0 {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		f, err := os.OpenFile(a.file, os.O_RDWR, 0)
		if err != nil {
			a.t.Errorf("open the local file: %v", err)
			return
		}
		defer f.Close()
		off := int64(4 * testChunk)
		switch {
		case a.orig == nil:
			a.orig = make([]byte, 4096)
			if _, err := f.ReadAt(a.orig, off); err != nil {
				a.t.Errorf("read chunk 5: %v", err)
			}
			changed := make([]byte, len(a.orig))
			for j, c := range a.orig {
				changed[j] = ^c
			}
			_, err = f.WriteAt(changed, off)
		case i == 5:
			_, err = f.WriteAt(a.orig, off)
		}
		if err != nil {
			a.t.Errorf("change chunk 5: %v", err)
		}
	})
}

// TestChunkedUploadOfAFileChangingMidway: a file whose bytes change while
// it is sent is refused before the MOVE, its folder removed, nothing at
// the destination; from a file (chunks several at once) even when the
// change is undone before the bytes are read through for the SHA-1,
// which then matches: the CRC-32C of chunk 5 as sent does not.
func TestChunkedUploadOfAFileChangingMidway(t *testing.T) {
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plain reader %v", plain), func(t *testing.T) {
			local, sum := randomFile(t, 10*testChunk, 23)
			a := &alterChunk5{t: t, file: local}
			n := davtest.StartNextcloud(t, davtest.WithMiddleware(a.middleware))
			c := chunkedClient(t, n)
			err := uploadFile(context.Background(), t, c, local, "/changing.bin", domain.UploadMeta{SHA1: sum}, plain)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "the file changed while it was sent") || domain.IsRemote(err) {
				t.Fatalf("upload of a file changing midway: %v, want a local EINVALID saying the file changed", err)
			}
			noUploadGoroutines(t)
			if got := sha1Of(t, local); got != sum {
				t.Fatalf("the local file was not put back: SHA-1 %s, want %s", got, sum)
			}
			for _, r := range n.Requests() {
				if r.Method == "MOVE" {
					t.Fatal("the chunks of a changed file were assembled")
				}
			}
			if left := n.UploadFolders(); len(left) != 0 {
				t.Fatalf("upload folders left: %q", left)
			}
			if _, err := os.Stat(filepath.Join(n.Dir, "changing.bin")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("something is at the destination: %v", err)
			}
		})
	}
}
