package webdav_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/internal/testkit"
)

const testChunk = 5 << 20 // the smallest chunk Nextcloud takes

// randomFile writes size bytes generated from seed to a file in a
// temporary folder and returns its path and SHA-1.
func randomFile(t testing.TB, size int64, seed byte) (string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), fmt.Sprintf("random-%d.bin", seed))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.NewChaCha8([32]byte{seed}), size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p, hex.EncodeToString(h.Sum(nil))
}

// sha1Of returns the SHA-1 of a file in hex.
func sha1Of(t testing.TB, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// chunkedClient opens the Nextcloud account with 5 MiB chunks.
func chunkedClient(t testing.TB, n *davtest.Nextcloud) *webdav.Client {
	t.Helper()
	c, err := webdav.NewConnectorWithOptions(nil, webdav.Options{ChunkSize: testChunk, AssemblyTimeout: 30 * time.Second}).
		Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password, Timeout: 10 * time.Second}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// uploadFile uploads the file at local to remote, as the app does: the
// open file as the body (plain wraps it so that it is only an io.Reader).
func uploadFile(ctx context.Context, t testing.TB, c *webdav.Client, local, remote string, meta domain.UploadMeta, plain bool) error {
	t.Helper()
	f, err := os.Open(local)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = f
	if plain {
		body = struct{ io.Reader }{f}
	}
	return c.Upload(ctx, remote, body, fi.Size(), meta)
}

// uploadRequests returns the requests below remote.php/dav/uploads/ from
// the skip-th on, as "METHOD last-path-part".
func uploadRequests(n *davtest.Nextcloud, skip int) ([]davtest.Request, []string) {
	var reqs []davtest.Request
	var short []string
	for _, r := range n.Requests()[skip:] {
		if strings.Contains(r.Path, "/remote.php/dav/uploads/") {
			reqs = append(reqs, r)
			short = append(short, r.Method+" "+r.Path[strings.LastIndex(strings.TrimSuffix(r.Path, "/"), "/")+1:])
		}
	}
	return reqs, short
}

// TestChunkedUpload sends a 50 MiB file in 5 MiB chunks exactly as
// Nextcloud's manual describes chunked upload v2, and finds it on the
// server byte for byte, with its modification time and SHA-1.
func TestChunkedUpload(t *testing.T) {
	n := davtest.StartNextcloud(t)
	n.MkdirAll(t, "Videos")
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 50<<20, 1)
	mtime := time.Date(2024, 5, 17, 10, 30, 0, 0, time.UTC)
	if err := uploadFile(context.Background(), t, c, local, "/Videos/clip.mp4", domain.UploadMeta{ModTime: mtime, SHA1: sum}, false); err != nil {
		t.Fatal(err)
	}
	if got := sha1Of(t, filepath.Join(n.Dir, "Videos", "clip.mp4")); got != sum {
		t.Fatalf("the server holds SHA-1 %s, want %s", got, sum)
	}
	f, err := c.Stat(context.Background(), "/Videos/clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if f.Size != 50<<20 || !f.ModTime.Equal(mtime) || f.Checksum != domain.SHA1Checksum(sum) {
		t.Fatalf("Stat = %+v, want 50 MiB, %v, SHA1:%s", f, mtime, sum)
	}

	reqs, short := uploadRequests(n, 0)
	// The client's first chunked upload looks for abandoned upload
	// folders once (PROPFIND of the uploads home).
	if len(short) != 14 || short[0] != "PROPFIND "+n.UserID+"/" {
		t.Fatalf("requests = %q, want the uploads home listed first", short)
	}
	reqs, short = reqs[1:], short[1:]
	if len(short) != 13 || !strings.HasPrefix(short[0], "PROPFIND photosync-") || short[1] != "MKCOL"+short[0][len("PROPFIND"):] ||
		short[12] != "MOVE .file" {
		t.Fatalf("requests = %q, want PROPFIND and MKCOL of the folder, 10 chunks, MOVE .file", short)
	}
	dest := n.DAVURL + "Videos/clip.mp4"
	if reqs[0].Status != http.StatusNotFound || reqs[1].Status != http.StatusCreated || reqs[1].Header.Get("Destination") != dest {
		t.Fatalf("the upload folder was looked for (%d) and made (%d) with Destination %q, want 404, 201, %q",
			reqs[0].Status, reqs[1].Status, reqs[1].Header.Get("Destination"), dest)
	}
	// The chunks of a file go several at once, so in any order.
	for _, r := range reqs[2:12] {
		if r.Method != http.MethodPut || r.Status != http.StatusCreated || r.ContentLength != testChunk ||
			r.Header.Get("Destination") != dest || r.Header.Get("OC-Total-Length") != "52428800" {
			t.Fatalf("%s %s answered %d, length %d, headers %v; want a PUT of 5 MiB with Destination and OC-Total-Length",
				r.Method, r.Path, r.Status, r.ContentLength, r.Header)
		}
	}
	if sent, twice := storedChunks(reqs); !slices.Equal(sent, chunkRange(1, 10)) || twice {
		t.Fatalf("chunks sent: %v, want 1 to 10 once each", sent)
	}
	move := reqs[12]
	if move.Status != http.StatusCreated || move.Header.Get("Destination") != dest || move.Header.Get("OC-Total-Length") != "52428800" ||
		move.Header.Get("X-OC-Mtime") != fmt.Sprint(mtime.Unix()) || move.Header.Get("OC-Checksum") != "SHA1:"+sum {
		t.Fatalf("MOVE .file answered %d with headers %v", move.Status, move.Header)
	}
	if left := n.UploadFolders(); len(left) != 0 {
		t.Fatalf("upload folders left on the server: %q", left)
	}

	// The download announces the checksum sent, and brings the bytes.
	rc, df, err := c.Download(context.Background(), "/Videos/clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.New()
	_, err = io.Copy(h, rc)
	rc.Close()
	if err != nil || hex.EncodeToString(h.Sum(nil)) != sum || df.Checksum != domain.SHA1Checksum(sum) {
		t.Fatalf("download: %v, SHA-1 %x, checksum %q", err, h.Sum(nil), df.Checksum)
	}
}

// TestChunkedUploadOfAPlainReader sends a file read through only as an
// io.Reader, whose last chunk is a few bytes.
func TestChunkedUploadOfAPlainReader(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 2*testChunk+3, 2)
	if err := uploadFile(context.Background(), t, c, local, "/odd.bin", domain.UploadMeta{SHA1: sum}, true); err != nil {
		t.Fatal(err)
	}
	if got := sha1Of(t, filepath.Join(n.Dir, "odd.bin")); got != sum {
		t.Fatalf("the server holds SHA-1 %s, want %s", got, sum)
	}
	_, short := uploadRequests(n, 0)
	if !slices.Equal(short[3:], []string{"PUT 00001", "PUT 00002", "PUT 00003", "MOVE .file"}) {
		t.Fatalf("requests = %q", short)
	}
}

// cancelAfterChunks is a middleware that cancels the context in cancel
// once the server has stored limit chunks, as if the upload were killed
// then. Chunks that arrive after the first limit are never stored: they
// wait until their client gives up, so that the server holds exactly the
// first limit chunks to arrive, however many were sent at once.
type cancelAfterChunks struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	limit   int
	entered int
	stored  int
	active  int // chunk requests being served
}

func (k *cancelAfterChunks) arm(cancel context.CancelFunc, limit int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cancel, k.limit, k.entered, k.stored = cancel, limit, 0, 0
}

func (k *cancelAfterChunks) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/remote.php/dav/uploads/") {
			next.ServeHTTP(w, r)
			return
		}
		k.mu.Lock()
		k.active++
		k.entered++
		armed, held := k.cancel != nil, k.cancel != nil && k.entered > k.limit
		k.mu.Unlock()
		defer func() {
			k.mu.Lock()
			k.active--
			k.mu.Unlock()
		}()
		if held {
			holdUntilGone(w, r)
			return
		}
		next.ServeHTTP(w, r)
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.stored++; armed && k.stored == k.limit {
			k.cancel()
		}
	})
}

// quiet waits until no chunk request is being served, so that what the
// server holds no longer changes: the requests of a killed upload end as
// soon as the server sees their client gone.
func (k *cancelAfterChunks) quiet(t testing.TB) {
	t.Helper()
	waitFor(t, "the killed upload's requests to end", func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.active == 0
	})
}

// holdUntilGone serves a chunk that is never stored: it reads the body
// (which lets the server notice the client leaving) and answers 503 once
// the client is gone.
func holdUntilGone(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
	http.Error(w, "held", http.StatusServiceUnavailable)
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 10*time.Second, what, cond)
}

// storedChunks returns the numbers of the chunks the server stored (a PUT
// answered 2xx) among reqs, sorted, and whether one was stored twice.
func storedChunks(reqs []davtest.Request) ([]int, bool) {
	var got []int
	twice := false
	for _, r := range reqs {
		if r.Method != http.MethodPut || r.Status >= 300 {
			continue
		}
		i, err := strconv.Atoi(r.Path[strings.LastIndex(r.Path, "/")+1:])
		if err != nil {
			continue
		}
		twice = twice || slices.Contains(got, i)
		got = append(got, i)
	}
	slices.Sort(got)
	return got, twice
}

// chunkRange returns the numbers from to to.
func chunkRange(from, to int) []int {
	var r []int
	for i := from; i <= to; i++ {
		r = append(r, i)
	}
	return r
}

// TestChunkedUploadResumes kills an upload after 4 of its 10 chunks (or
// all 10, before the MOVE) and tries again: only the missing chunks are
// sent, each once, whether the chunks go one after the other (a plain
// reader) or several at once (a file).
func TestChunkedUploadResumes(t *testing.T) {
	for _, tc := range []struct {
		plain bool
		limit int
	}{{false, 4}, {true, 4}, {false, 10}} {
		t.Run(fmt.Sprintf("plain reader %v, killed after %d chunks", tc.plain, tc.limit), func(t *testing.T) {
			var kill cancelAfterChunks
			n := davtest.StartNextcloud(t, davtest.WithMiddleware(kill.middleware))
			c := chunkedClient(t, n)
			local, sum := randomFile(t, 50<<20, 3)
			meta := domain.UploadMeta{ModTime: time.Unix(1700000000, 0), SHA1: sum}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			kill.arm(cancel, tc.limit)
			err := uploadFile(ctx, t, c, local, "/resumed.bin", meta, tc.plain)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("killed upload: %v, want context.Canceled", err)
			}
			if left := n.UploadFolders(); len(left) != 1 {
				t.Fatalf("upload folders after the kill: %q, want the one to resume from", left)
			}
			kill.quiet(t)
			kept, _ := storedChunks(n.Requests())
			if len(kept) != tc.limit {
				t.Fatalf("the server stored chunks %v before the kill, want %d", kept, tc.limit)
			}

			kill.arm(nil, 0)
			mark := len(n.Requests())
			if err := uploadFile(context.Background(), t, c, local, "/resumed.bin", meta, tc.plain); err != nil {
				t.Fatal(err)
			}
			reqs, short := uploadRequests(n, mark)
			sent, twice := storedChunks(reqs)
			var missing []int
			for _, i := range chunkRange(1, 10) {
				if !slices.Contains(kept, i) {
					missing = append(missing, i)
				}
			}
			if !slices.Equal(sent, missing) || twice || !strings.HasPrefix(short[0], "PROPFIND photosync-") || short[len(short)-1] != "MOVE .file" {
				t.Fatalf("the resumed upload sent %q: chunks %v, want a listing of its folder, chunks %v once each and the MOVE", short, sent, missing)
			}
			if tc.plain && !slices.IsSorted(short[1:len(short)-1]) {
				t.Fatalf("a plain reader's chunks went out of order: %q", short)
			}
			if got := sha1Of(t, filepath.Join(n.Dir, "resumed.bin")); got != sum {
				t.Fatalf("the server holds SHA-1 %s, want %s", got, sum)
			}
			if left := n.UploadFolders(); len(left) != 0 {
				t.Fatalf("upload folders left: %q", left)
			}
		})
	}
}

// TestChunkedUploadOfAChangedFile: a file that changed after it was hashed
// (same size, the caller's SHA-1 stale) is not assembled from chunks of
// two contents when its upload resumes: the upload fails and its folder is
// removed.
func TestChunkedUploadOfAChangedFile(t *testing.T) {
	var kill cancelAfterChunks
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(kill.middleware))
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 12<<20, 12)
	meta := domain.UploadMeta{ModTime: time.Unix(1700000000, 0), SHA1: sum}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kill.arm(cancel, 1)
	if err := uploadFile(ctx, t, c, local, "/changed.bin", meta, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed upload: %v", err)
	}
	other, _ := randomFile(t, 12<<20, 13)
	kill.arm(nil, 0)
	err := uploadFile(context.Background(), t, c, other, "/changed.bin", meta, true)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "the file changed while it was sent") {
		t.Fatalf("upload of a changed file: %v", err)
	}
	if left := n.UploadFolders(); len(left) != 0 {
		t.Fatalf("upload folders left: %q", left)
	}
	if _, err := c.Stat(context.Background(), "/changed.bin"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("Stat of the file never assembled: %v, want ENOTFOUND", err)
	}
}
