//go:build !wasm

// The Nextcloud test server needs sockets, which wasip1 has not.

package app

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var fetchTime = time.Date(2024, 5, 17, 10, 30, 0, 0, time.UTC)

// fetchExec is a syncExec that can fetch from st into a new library.
func fetchExec(t *testing.T, st ports.RemoteStorage) (*syncExec, string) {
	t.Helper()
	lib := t.TempDir()
	return &syncExec{
		writer: localfs.NewWriter(lib), clock: memory.NewClock(fetchTime), log: slog.New(slog.DiscardHandler),
		cfg: SyncConfig{DownloadStreams: 1}, staging: &sync.RWMutex{},
		a: domain.Account{ID: 1}, st: st, p: NewProgress(domain.Job{}, nil),
		retry: retryPolicy{attempts: 3, delay: time.Millisecond, maxDelay: time.Millisecond},
	}, lib
}

// libraryHolds fails unless the library holds exactly the given files
// (temporary files included) with their contents.
func libraryHolds(t *testing.T, lib string, want map[string][]byte) {
	t.Helper()
	got := map[string][]byte{}
	err := filepath.WalkDir(lib, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(lib, p)
		got[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the library holds %d files, want %d: %v", len(got), len(want), keys(got))
	}
	for p, data := range want {
		if !bytes.Equal(got[p], data) {
			t.Fatalf("the library's %s holds %d bytes, not the %d expected", p, len(got[p]), len(data))
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// recordingStorage records the options of the downloads it passes on.
type recordingStorage struct {
	ports.RemoteStorage
	mu   sync.Mutex
	opts []ports.DownloadOptions
}

func (r *recordingStorage) DownloadWith(ctx context.Context, p string, opts ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	r.mu.Lock()
	r.opts = append(r.opts, opts)
	r.mu.Unlock()
	return r.RemoteStorage.(ports.Downloader).DownloadWith(ctx, p, opts)
}

// TestFetchChecksTheServersChecksumOnce: from Nextcloud, the storage
// leaves the announced SHA-1 to the writer, which checks it (the storage
// does not hash the bytes: see TestDownloadLeavesTheCheckToTheCaller in
// adapters/webdav): a file whose
// bytes are not the announced ones never gets a name in the library.
func TestFetchChecksTheServersChecksumOnce(t *testing.T) {
	ctx := context.Background()
	n := davtest.StartNextcloud(t)
	st, err := webdav.NewConnector(nil).Open(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password, Timeout: 10 * time.Second}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("photo "), 50000)
	sum := sha1.Sum(data)
	right := hex.EncodeToString(sum[:])
	for p, announced := range map[string]string{"/right.jpg": right, "/wrong.jpg": strings.Repeat("0", 40)} {
		if err := st.Upload(ctx, p, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{ModTime: fetchTime, SHA1: announced}); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recordingStorage{RemoteStorage: st}
	x, lib := fetchExec(t, rec)
	file := func(p string, checksum domain.Checksum) domain.RemoteFile {
		return domain.RemoteFile{Path: p, Name: p[1:], Size: int64(len(data)), ModTime: fetchTime, Checksum: checksum}
	}

	pair, err := x.fetch(ctx, file("/right.jpg", domain.Checksum{}), "right.jpg", false)
	if err != nil || pair.SHA1 != right {
		t.Fatalf("fetch of a file with the right checksum: %+v, %v", pair, err)
	}
	_, err = x.fetch(ctx, file("/wrong.jpg", domain.Checksum{}), "wrong.jpg", false)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "SHA-1") {
		t.Fatalf("fetch of a file whose bytes are not the announced ones: %v, want EINVALID", err)
	}
	// The listing said one SHA-1, the download announces another.
	_, err = x.fetch(ctx, file("/right.jpg", domain.SHA1Checksum(strings.Repeat("1", 40))), "listed.jpg", false)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "changed on the server") {
		t.Fatalf("fetch of a file whose checksum changed since the listing: %v, want EINVALID", err)
	}
	libraryHolds(t, lib, map[string][]byte{"right.jpg": data})
	for _, o := range rec.opts {
		if o.Streams != 1 || o.Retry == nil {
			t.Errorf("a photo was downloaded with %+v, want one stream and a retry", o)
		}
	}
	if len(rec.opts) != 3 {
		t.Errorf("%d downloads, want 3 (a wrong checksum is not tried again)", len(rec.opts))
	}
}

// TestFetchWithoutOptions: a storage that cannot take options (or a
// wrapper that hides them) is read with Download.
func TestFetchWithoutOptions(t *testing.T) {
	srv := memory.NewServer(memory.NewClock(fetchTime))
	st := memory.NewRemote(srv)
	data := []byte("a photo")
	if err := st.Upload(context.Background(), "/a.jpg", bytes.NewReader(data), int64(len(data)), domain.UploadMeta{ModTime: fetchTime}); err != nil {
		t.Fatal(err)
	}
	x, lib := fetchExec(t, struct{ ports.RemoteStorage }{st})
	rf := domain.RemoteFile{Path: "/a.jpg", Name: "a.jpg", Size: int64(len(data)), ModTime: fetchTime}
	if _, err := x.fetch(context.Background(), rf, "a.jpg", false); err != nil {
		t.Fatal(err)
	}
	libraryHolds(t, lib, map[string][]byte{"a.jpg": data})
}

// partsStorage serves one large file from memory like a storage that
// downloads in parts: changed makes the first download in parts fail
// halfway with ports.ErrChanged; broken makes every part's try fail as a
// broken connection, through the retry it was given.
type partsStorage struct {
	ports.RemoteStorage
	data    []byte
	changed bool
	broken  bool

	mu      sync.Mutex
	streams []int
	tries   int
}

func (s *partsStorage) DownloadWith(ctx context.Context, p string, opts ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	s.mu.Lock()
	s.streams = append(s.streams, opts.Streams)
	first := len(s.streams) == 1
	s.mu.Unlock()
	f := domain.RemoteFile{Path: p, Size: int64(len(s.data))}
	switch {
	case s.broken && opts.Streams > 1:
		err := opts.Retry(ctx, func(context.Context) error {
			s.mu.Lock()
			s.tries++
			s.mu.Unlock()
			return &domain.Error{Code: domain.EUNAVAILABLE, Remote: true, Message: "the connection broke off"}
		})
		return io.NopCloser(io.MultiReader(bytes.NewReader(s.data[:1000]), errReader{err})), f, nil
	case s.changed && first && opts.Streams > 1:
		changed := &domain.Error{Code: domain.ECONFLICT, Remote: true, Message: "changed", Err: ports.ErrChanged}
		return io.NopCloser(io.MultiReader(bytes.NewReader(s.data[:len(s.data)/2]), errReader{changed})), f, nil
	}
	return io.NopCloser(bytes.NewReader(s.data)), f, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// inParts makes x fetch large downloads in four parts.
func inParts(x *syncExec) { x.cfg.DownloadStreams = 4 }

func largeFile() []byte {
	return bytes.Repeat([]byte("0123456789abcdef"), rangedMinSize/16+1000)
}

// TestFetchInParts: a large file is asked for in parts; when it changed
// between them, it is read again at once in one stream, and the library
// gets the file whole.
func TestFetchInParts(t *testing.T) {
	data := largeFile()
	st := &partsStorage{data: data, changed: true}
	x, lib := fetchExec(t, st)
	inParts(x)
	rf := domain.RemoteFile{Path: "/video.mp4", Name: "video.mp4", Size: int64(len(data)), ModTime: fetchTime}
	pair, err := x.fetch(context.Background(), rf, "video.mp4", false)
	if err != nil {
		t.Fatalf("fetch of a file that changed between its parts: %v", err)
	}
	sum := sha1.Sum(data)
	if pair.SHA1 != hex.EncodeToString(sum[:]) {
		t.Errorf("the pair's SHA-1 is %s, not the file's", pair.SHA1)
	}
	if len(st.streams) != 2 || st.streams[0] != 4 || st.streams[1] != 1 {
		t.Errorf("downloads in %v streams, want [4 1]", st.streams)
	}
	libraryHolds(t, lib, map[string][]byte{"video.mp4": data})
}

// TestFetchPartRetriesAreEnough: a part that failed through all the tries
// of the retry policy fails the file, without the whole file being tried
// again as many times.
func TestFetchPartRetriesAreEnough(t *testing.T) {
	data := largeFile()
	st := &partsStorage{data: data, broken: true}
	x, lib := fetchExec(t, st)
	inParts(x)
	rf := domain.RemoteFile{Path: "/video.mp4", Name: "video.mp4", Size: int64(len(data)), ModTime: fetchTime}
	_, err := x.fetch(context.Background(), rf, "video.mp4", false)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("fetch of a file whose part never comes: %v, want EUNAVAILABLE", err)
	}
	if len(st.streams) != 1 || st.tries != 3 {
		t.Errorf("%d downloads and %d tries of the part, want 1 and 3", len(st.streams), st.tries)
	}
	libraryHolds(t, lib, map[string][]byte{})
}
