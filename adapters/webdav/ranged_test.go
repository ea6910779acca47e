package webdav_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// testPart is the part size of the ranged downloads in these tests, so
// that a file of a few hundred KiB comes in several parts.
const testPart = 64 << 10

func ranged(t *testing.T) {
	t.Helper()
	t.Cleanup(webdav.SetRangePartSize(testPart))
}

func randomData(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// readAll downloads p with opts and reads it whole.
func readAll(t *testing.T, s ports.RemoteStorage, p string, opts ports.DownloadOptions) ([]byte, domain.RemoteFile, error) {
	t.Helper()
	rc, f, err := s.(ports.Downloader).DownloadWith(context.Background(), p, opts)
	if err != nil {
		return nil, f, err
	}
	data, err := io.ReadAll(rc)
	if cerr := rc.Close(); cerr != nil {
		t.Errorf("Close: %v", cerr)
	}
	return data, f, err
}

// TestRangedDownloadServers reads files in parts from every test server:
// several parts and a short last one, one part, less than a part, none.
// The files are older than a second, so that Apache's ETags are strong.
func TestRangedDownloadServers(t *testing.T) {
	ranged(t)
	old := time.Date(2024, 5, 17, 10, 30, 0, 0, time.UTC)
	onDisk := func(s *davtest.Server) (ports.RemoteStorage, func(t *testing.T, name string, data []byte)) {
		return openStorage(s.URL, s.Username, s.Password, domain.TypeWebDAV)(t), func(t *testing.T, name string, data []byte) {
			s.WriteFile(t, name, data)
			if err := os.Chtimes(filepath.Join(s.Dir, name), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, srv := range []struct {
		name  string
		start func(t *testing.T) (ports.RemoteStorage, func(t *testing.T, name string, data []byte))
	}{
		{"xnet", func(t *testing.T) (ports.RemoteStorage, func(t *testing.T, name string, data []byte)) {
			return onDisk(davtest.StartXNet(t))
		}},
		{"apache", func(t *testing.T) (ports.RemoteStorage, func(t *testing.T, name string, data []byte)) {
			return onDisk(davtest.StartApache(t))
		}},
		{"rclone", func(t *testing.T) (ports.RemoteStorage, func(t *testing.T, name string, data []byte)) {
			return onDisk(davtest.StartRclone(t))
		}},
		{"nextcloud", func(t *testing.T) (ports.RemoteStorage, func(t *testing.T, name string, data []byte)) {
			n := davtest.StartNextcloud(t)
			s := openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud)(t)
			return s, func(t *testing.T, name string, data []byte) {
				sum := sha1.Sum(data)
				meta := domain.UploadMeta{ModTime: old, SHA1: hex.EncodeToString(sum[:])}
				if err := s.Upload(context.Background(), "/"+name, bytes.NewReader(data), int64(len(data)), meta); err != nil {
					t.Fatalf("Upload %s: %v", name, err)
				}
			}
		}},
	} {
		t.Run(srv.name, func(t *testing.T) {
			s, put := srv.start(t)
			for _, size := range []int{5*testPart + 1234, testPart, 1000, 0} {
				data := randomData(t, size)
				name := fmt.Sprintf("file-%d.bin", size)
				put(t, name, data)
				got, f, err := readAll(t, s, "/"+name, ports.DownloadOptions{Streams: 4})
				if err != nil {
					t.Fatalf("%d bytes: %v", size, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("%d bytes: read %d bytes that differ", size, len(got))
				}
				if f.Size != int64(size) || f.ETag == "" || !f.ModTime.Equal(old) {
					t.Fatalf("%d bytes: the file is %+v", size, f)
				}
			}
		})
	}
}

// TestRangedDownloadChecksum: on Nextcloud, a body read in parts or in
// one is passed on as received, unchecked, and the caller gets the
// announced SHA-1 to check it against (the library writer, or the app's
// readRemote: see app's TestReadRemoteChecksTheAnnouncedSHA1).
func TestRangedDownloadChecksum(t *testing.T) {
	ranged(t)
	n := davtest.StartNextcloud(t)
	s := openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud)(t)
	data := randomData(t, 3*testPart+5)
	wrong := strings.Repeat("ab", 20) // Nextcloud stores what it is told
	if err := s.Upload(context.Background(), "/lie.bin", bytes.NewReader(data), int64(len(data)), domain.UploadMeta{SHA1: wrong}); err != nil {
		t.Fatal(err)
	}
	for _, streams := range []int{1, 4} {
		got, f, err := readAll(t, s, "/lie.bin", ports.DownloadOptions{Streams: streams})
		if err != nil || !bytes.Equal(got, data) || f.Checksum != domain.SHA1Checksum(wrong) {
			t.Errorf("unchecked download in %d streams: %d bytes, checksum %q, %v; want the bytes and SHA1:%s", streams, len(got), f.Checksum, err, wrong)
		}
	}
	var ranges int
	for _, r := range n.Requests() {
		if r.Method == http.MethodGet && r.Header.Get("Range") != "" {
			ranges++
		}
	}
	if ranges < 4 { // a download of four parts (there is no checked one any more)
		t.Errorf("%d GET requests with a Range, want at least 4", ranges)
	}
}

// partServer is an x/net/webdav server over a folder whose handler a test
// can bend: it records the GET requests, and counts how many run at once.
type partServer struct {
	dir    string
	url    string
	mu     sync.Mutex
	gets   []http.Header
	now    atomic.Int32
	most   atomic.Int32
	handle func(w http.ResponseWriter, r *http.Request, next http.Handler) // nil: next
}

func startPartServer(t *testing.T) *partServer {
	t.Helper()
	ps := &partServer{dir: t.TempDir()}
	dav := &xwebdav.Handler{FileSystem: xwebdav.Dir(ps.dir), LockSystem: xwebdav.NewMemLS()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			n := ps.now.Add(1)
			defer ps.now.Add(-1)
			for m := ps.most.Load(); n > m && !ps.most.CompareAndSwap(m, n); m = ps.most.Load() {
			}
			ps.mu.Lock()
			ps.gets = append(ps.gets, r.Header.Clone())
			handle := ps.handle
			ps.mu.Unlock()
			if handle != nil {
				handle(w, r, dav)
				return
			}
		}
		dav.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ps.url = srv.URL + "/"
	return ps
}

func (ps *partServer) write(t *testing.T, name string, data []byte, mod time.Time) {
	t.Helper()
	p := filepath.Join(ps.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

func (ps *partServer) requests() []http.Header {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]http.Header(nil), ps.gets...)
}

func (ps *partServer) storage(t *testing.T) ports.RemoteStorage {
	t.Helper()
	return openStorage(ps.url, "user", "password", domain.TypeWebDAV)(t)
}

// TestRangedDownloadParts: every part is asked for once, with If-Range
// and the file's ETag, and never more parts at once than the streams.
func TestRangedDownloadParts(t *testing.T) {
	ranged(t)
	ps := startPartServer(t)
	data := randomData(t, 20*testPart+7)
	ps.write(t, "big.bin", data, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	got, f, err := readAll(t, ps.storage(t), "/big.bin", ports.DownloadOptions{Streams: 3})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download in parts: %d bytes, %v; want the %d written", len(got), err, len(data))
	}
	reqs := ps.requests()
	if len(reqs) != 21 {
		t.Fatalf("%d GET requests, want one per part (21)", len(reqs))
	}
	seen := map[string]bool{}
	for i, h := range reqs {
		seen[h.Get("Range")] = true
		if i > 0 && h.Get("If-Range") != f.ETag {
			t.Errorf("request %d: If-Range %q, want the ETag %q", i, h.Get("If-Range"), f.ETag)
		}
	}
	for i := range 21 {
		want := fmt.Sprintf("bytes=%d-%d", i*testPart, min((i+1)*testPart, len(data))-1)
		if !seen[want] {
			t.Errorf("no request for %s", want)
		}
	}
	if most := ps.most.Load(); most > 3 {
		t.Errorf("%d parts fetched at once, want at most 3", most)
	}
}

// TestRangedDownloadWithoutRanges: a server that ignores Range answers
// the first request with the whole file, which is the download.
func TestRangedDownloadWithoutRanges(t *testing.T) {
	ranged(t)
	ps := startPartServer(t)
	ps.handle = func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		r.Header.Del("Range")
		next.ServeHTTP(w, r)
	}
	data := randomData(t, 5*testPart)
	ps.write(t, "big.bin", data, time.Now().Add(-time.Hour))
	got, f, err := readAll(t, ps.storage(t), "/big.bin", ports.DownloadOptions{Streams: 4})
	if err != nil || !bytes.Equal(got, data) || f.Size != int64(len(data)) {
		t.Fatalf("download from a server without ranges: %d bytes of %d, size %d, %v", len(got), len(data), f.Size, err)
	}
	if n := len(ps.requests()); n != 1 {
		t.Errorf("%d GET requests, want 1", n)
	}
}

// TestRangedDownloadChanged: a file that changes after its first part
// fails the read with ports.ErrChanged, whether the server honours
// If-Range (it sends the new file whole) or not (the part's ETag
// differs); read again in one stream, it is the new file.
func TestRangedDownloadChanged(t *testing.T) {
	ranged(t)
	for _, ignoreIfRange := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignore If-Range %v", ignoreIfRange), func(t *testing.T) {
			ps := startPartServer(t)
			old, changed := randomData(t, 6*testPart), randomData(t, 6*testPart)
			ps.write(t, "big.bin", old, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
			first := make(chan struct{}) // closed once the file changed
			var once sync.Once
			ps.handle = func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if ignoreIfRange {
					r.Header.Del("If-Range")
				}
				if r.Header.Get("Range") == fmt.Sprintf("bytes=0-%d", testPart-1) {
					next.ServeHTTP(w, r)
					once.Do(func() {
						ps.write(t, "big.bin", changed, time.Date(2024, 6, 7, 8, 9, 10, 0, time.UTC))
						close(first)
					})
					return
				}
				<-first // the other parts are served from the changed file
				next.ServeHTTP(w, r)
			}
			s := ps.storage(t)
			_, _, err := readAll(t, s, "/big.bin", ports.DownloadOptions{Streams: 4})
			if !errors.Is(err, ports.ErrChanged) || domain.ErrorCode(err) != domain.ECONFLICT {
				t.Fatalf("reading a file that changed between parts: %v, want ECONFLICT wrapping ports.ErrChanged", err)
			}
			got, _, err := readAll(t, s, "/big.bin", ports.DownloadOptions{Streams: 1})
			if err != nil || !bytes.Equal(got, changed) {
				t.Fatalf("reading it again in one stream: %d bytes, %v; want the changed file", len(got), err)
			}
		})
	}
}

// TestRangedDownloadRetriesAPart: a part whose answer breaks off is asked
// for again, from the first missing byte, through the retry; without a
// retry the read fails as a broken connection.
func TestRangedDownloadRetriesAPart(t *testing.T) {
	ranged(t)
	third := fmt.Sprintf("bytes=%d-%d", 2*testPart, 3*testPart-1)
	for _, retry := range []bool{true, false} {
		t.Run(fmt.Sprintf("retry %v", retry), func(t *testing.T) {
			ps := startPartServer(t)
			data := randomData(t, 5*testPart)
			ps.write(t, "big.bin", data, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
			var broken atomic.Bool
			ps.handle = func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if r.Header.Get("Range") != third || !broken.CompareAndSwap(false, true) {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(testPart))
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", 2*testPart, 3*testPart-1, len(data)))
				w.Header().Set("ETag", r.Header.Get("If-Range"))
				w.WriteHeader(http.StatusPartialContent)
				w.Write(data[2*testPart : 2*testPart+1000])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // the connection breaks off
			}
			opts := ports.DownloadOptions{Streams: 2}
			tries := 0
			if retry {
				var mu sync.Mutex
				opts.Retry = func(ctx context.Context, try func(context.Context) error) error {
					for attempt := 1; ; attempt++ {
						err := try(ctx)
						mu.Lock()
						tries++
						mu.Unlock()
						if err == nil || attempt == 3 || domain.ErrorCode(err) != domain.EUNAVAILABLE {
							return err
						}
					}
				}
			}
			got, _, err := readAll(t, ps.storage(t), "/big.bin", opts)
			if !retry {
				if domain.ErrorCode(err) != domain.EUNAVAILABLE || !domain.IsRemote(err) {
					t.Fatalf("a part that broke off, without a retry: %v, want EUNAVAILABLE", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("a part that broke off, with a retry: %d bytes, %v; want the file", len(got), err)
			}
			if tries != 6 { // five parts, one of them twice
				t.Errorf("%d tries, want 6", tries)
			}
			want := fmt.Sprintf("bytes=%d-%d", 2*testPart+1000, 3*testPart-1)
			found := false
			for _, h := range ps.requests() {
				found = found || h.Get("Range") == want
			}
			if !found {
				t.Errorf("no request for the rest of the broken part (%s)", want)
			}
		})
	}
}

// TestRangedDownloadClose: closing the body before the end stops the
// fetches; Close waits for them, so nothing runs on after it.
func TestRangedDownloadClose(t *testing.T) {
	ranged(t)
	ps := startPartServer(t)
	ps.write(t, "big.bin", randomData(t, 40*testPart), time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	rc, _, err := ps.storage(t).(ports.Downloader).DownloadWith(context.Background(), "/big.bin", ports.DownloadOptions{Streams: 4})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, testPart/2)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ps.now.Load(); n != 0 {
		t.Logf("%d requests still being answered after Close (the server's side may lag)", n)
	}
	if _, err := rc.Read(buf); err == nil {
		t.Errorf("Read after Close worked")
	}
	if n := len(ps.requests()); n >= 40 {
		t.Errorf("%d parts asked for after reading half of the first, want fewer than all 40", n)
	}
}
