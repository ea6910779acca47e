package webdav_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// These tests run chunked uploads into the situations a real Nextcloud
// puts them in: a MOVE answered 423 while the chunks are assembled, a
// MOVE that cannot succeed, an upload folder expired, a full quota.

// TestChunkedUploadWaitsForAssembly: the final MOVE answers 423 (another
// request is assembling), and the upload polls the destination until the
// assembled file is there.
func TestChunkedUploadWaitsForAssembly(t *testing.T) {
	n := davtest.StartNextcloud(t, davtest.WithAssemblyDelay(3))
	c := chunkedClient(t, n)
	n.WriteFile(t, "slow.bin", []byte("an older, smaller version"))
	local, sum := randomFile(t, 12<<20, 4)
	mtime := time.Unix(1710000000, 0)
	if err := uploadFile(context.Background(), t, c, local, "/slow.bin", domain.UploadMeta{ModTime: mtime, SHA1: sum}, false); err != nil {
		t.Fatal(err)
	}
	if got := sha1Of(t, filepath.Join(n.Dir, "slow.bin")); got != sum {
		t.Fatalf("the server holds SHA-1 %s, want %s", got, sum)
	}
	var statuses []int
	polls := 0
	for _, r := range n.Requests() {
		switch {
		case r.Method == "MOVE":
			statuses = append(statuses, r.Status)
		case r.Method == "PROPFIND" && strings.HasSuffix(r.Path, "/slow.bin") && len(statuses) > 0:
			polls++
		}
	}
	if !slices.Equal(statuses, []int{http.StatusLocked}) || polls != 3 {
		t.Fatalf("MOVE answered %v and the destination was polled %d times, want one 423 and 3 polls", statuses, polls)
	}
	f, err := c.Stat(context.Background(), "/slow.bin")
	if err != nil || !f.ModTime.Equal(mtime) || f.Checksum != domain.SHA1Checksum(sum) {
		t.Fatalf("Stat = %+v, %v", f, err)
	}
}

// TestChunkedUploadAbandoned: a MOVE that cannot succeed yet (the
// destination folder is gone) fails the upload with ENOTFOUND, as a PUT
// would; the upload folder is kept, so that once the folder is there the
// next try sends no chunk again, only the MOVE.
func TestChunkedUploadAbandoned(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 6<<20, 5)
	err := uploadFile(context.Background(), t, c, local, "/missing/a.bin", domain.UploadMeta{SHA1: sum}, false)
	wantError(t, err, domain.ENOTFOUND, "the folder /missing does not exist")
	if left := n.UploadFolders(); len(left) != 1 {
		t.Fatalf("upload folders left: %q, want the one to resume from", left)
	}
	n.MkdirAll(t, "missing")
	mark := len(n.Requests())
	if err := uploadFile(context.Background(), t, c, local, "/missing/a.bin", domain.UploadMeta{SHA1: sum}, false); err != nil {
		t.Fatal(err)
	}
	_, short := uploadRequests(n, mark)
	if len(short) != 2 || !strings.HasPrefix(short[0], "PROPFIND photosync-") || short[1] != "MOVE .file" {
		t.Fatalf("the next try sent %q, want the listing and the MOVE only", short)
	}
	if left := n.UploadFolders(); len(left) != 0 {
		t.Fatalf("upload folders left after success: %q", left)
	}
}

// TestChunkedUploadAfterExpiry: a folder untouched for more than 24 hours
// is gone, and the upload starts over.
func TestChunkedUploadAfterExpiry(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Now()
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var kill cancelAfterChunks
	n := davtest.StartNextcloud(t, davtest.WithClock(clock), davtest.WithMiddleware(kill.middleware))
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 20<<20, 6)
	meta := domain.UploadMeta{SHA1: sum}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kill.arm(cancel, 2)
	if err := uploadFile(ctx, t, c, local, "/late.bin", meta, false); err == nil {
		t.Fatal("the killed upload succeeded")
	}
	kill.quiet(t)
	mu.Lock()
	now = now.Add(23 * time.Hour)
	mu.Unlock()
	if len(n.UploadFolders()) != 1 {
		t.Fatal("the upload folder expired within 24 hours")
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	kill.arm(nil, 0)
	mark := len(n.Requests())
	if err := uploadFile(context.Background(), t, c, local, "/late.bin", meta, false); err != nil {
		t.Fatal(err)
	}
	reqs, short := uploadRequests(n, mark)
	if sent, _ := storedChunks(reqs); len(short) != 7 || !strings.HasPrefix(short[1], "MKCOL ") || !slices.Equal(sent, chunkRange(1, 4)) {
		t.Fatalf("requests after expiry = %q, want a new folder and all 4 chunks", short)
	}
	if got := sha1Of(t, filepath.Join(n.Dir, "late.bin")); got != sum {
		t.Fatalf("the server holds SHA-1 %s, want %s", got, sum)
	}
}

// TestChunkedUploadAlreadyThere: an upload whose folder is gone and whose
// file is on the server (an earlier try was assembled, its answer lost)
// sends nothing.
func TestChunkedUploadAlreadyThere(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 6<<20, 7)
	meta := domain.UploadMeta{ModTime: time.Unix(1700000000, 0), SHA1: sum}
	if err := uploadFile(context.Background(), t, c, local, "/twice.bin", meta, false); err != nil {
		t.Fatal(err)
	}
	mark := len(n.Requests())
	if err := uploadFile(context.Background(), t, c, local, "/twice.bin", meta, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range n.Requests()[mark:] {
		if r.Method != "PROPFIND" {
			t.Fatalf("the second upload sent %s %s, want only look-ups", r.Method, r.Path)
		}
	}
	// Another modification time is another upload.
	meta.ModTime = meta.ModTime.Add(time.Hour)
	mark = len(n.Requests())
	if err := uploadFile(context.Background(), t, c, local, "/twice.bin", meta, false); err != nil {
		t.Fatal(err)
	}
	if _, short := uploadRequests(n, mark); len(short) != 5 {
		t.Fatalf("an upload with a new time sent %q, want the chunks again", short)
	}
}

// TestQuota: the free space is read from quota-available-bytes, a chunked
// upload that does not fit is refused at its first chunk (507, from
// OC-Total-Length) and leaves no folder, and app.CheckQuota refuses it
// before anything is sent.
func TestQuota(t *testing.T) {
	n := davtest.StartNextcloud(t, davtest.WithQuota(20_000_000))
	n.WriteFile(t, "old.bin", make([]byte, 1_000_000))
	c := chunkedClient(t, n)
	free, known, err := c.Quota(context.Background())
	if err != nil || !known || free != 19_000_000 {
		t.Fatalf("Quota = %d, %v, %v; want 19000000 known", free, known, err)
	}
	err = app.CheckQuota(context.Background(), c, 50<<20)
	wantError(t, err, domain.EUNAVAILABLE, "not enough space on the server: 52.4 MB needed, 19.0 MB free")
	if err := app.CheckQuota(context.Background(), c, 10<<20); err != nil {
		t.Fatalf("CheckQuota of what fits: %v", err)
	}

	local, sum := randomFile(t, 25<<20, 8)
	err = uploadFile(context.Background(), t, c, local, "/big.bin", domain.UploadMeta{SHA1: sum}, false)
	wantError(t, err, domain.EUNAVAILABLE, "the server has no space left (507 Insufficient Storage)")
	if webdav.HTTPStatus(err) != http.StatusInsufficientStorage {
		t.Fatalf("HTTPStatus = %d, want 507", webdav.HTTPStatus(err))
	}
	// The folder is kept: once space is freed the upload resumes.
	if left := n.UploadFolders(); len(left) != 1 {
		t.Fatalf("upload folders left: %q, want the one to resume from", left)
	}
	for _, r := range n.Requests() {
		if r.Method == http.MethodPut && r.Status == http.StatusInsufficientStorage && r.Header.Get("Expect") != "100-continue" {
			t.Fatalf("a refused chunk was sent without Expect: 100-continue: %v", r.Header)
		}
	}

	// Without a quota, or on a server that does not say, the space is not
	// known and nothing is refused.
	for name, st := range map[string]func(*testing.T) (free int64, known bool, err error){
		"nextcloud": func(t *testing.T) (int64, bool, error) {
			return chunkedClient(t, davtest.StartNextcloud(t)).Quota(context.Background())
		},
		"xnet": func(t *testing.T) (int64, bool, error) {
			s := davtest.StartXNet(t)
			c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: s.URL, Username: s.Username, Password: s.Password}, domain.TypeWebDAV)
			if err != nil {
				t.Fatal(err)
			}
			if err := app.CheckQuota(context.Background(), c, 1<<40); err != nil {
				t.Fatalf("CheckQuota without a quota: %v", err)
			}
			return c.Quota(context.Background())
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, known, err := st(t); err != nil || known {
				t.Fatalf("Quota = known %v, %v; want unknown", known, err)
			}
		})
	}
}

// TestChunkedUploadFallsBack: a server taken for Nextcloud without the
// uploads endpoint gets the file in one PUT.
func TestChunkedUploadFallsBack(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	var putLength int64
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		if r.Method == http.MethodPut {
			putLength = n
		}
		mu.Unlock()
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/remote.php/dav/files/bob/") {
			w.WriteHeader(http.StatusCreated)
			return
		}
		http.NotFound(w, r)
	})
	c, err := webdav.NewConnectorWithOptions(nil, webdav.Options{ChunkSize: testChunk}).Client(
		domain.Credentials{URL: url + "remote.php/dav/files/bob/", Username: testUser, Password: testPassword}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	local, sum := randomFile(t, 6<<20, 11)
	if err := uploadFile(context.Background(), t, c, local, "/a.bin", domain.UploadMeta{SHA1: sum}, true); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if last := seen[len(seen)-1]; last != "PUT /remote.php/dav/files/bob/a.bin" || putLength != 6<<20 ||
		!slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(s, "MKCOL /remote.php/dav/uploads/bob/photosync-") }) {
		t.Fatalf("requests %q, PUT of %d bytes; want a MKCOL refused, then the whole file in one PUT", seen, putLength)
	}
}

// TestStaleUploadFoldersRemoved: on a server whose background jobs do not
// run, an upload folder of photosync's left untouched for more than a day
// is removed by the next chunked upload; a recent one is left to resume.
func TestStaleUploadFoldersRemoved(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().Add(-30 * time.Hour)
	n := davtest.StartNextcloud(t, davtest.WithoutBackgroundJobs(),
		davtest.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	home := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/"
	mkcol := func(name string) {
		req, _ := http.NewRequest("MKCOL", home+name, nil)
		req.SetBasicAuth(n.LoginName, n.Password)
		req.Header.Set("Destination", n.DAVURL+name+".bin")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("MKCOL %s: %v %v", name, res, err)
		}
		res.Body.Close()
	}
	mkcol("photosync-old")
	mkcol("someone-elses-old")
	mu.Lock()
	now = time.Now()
	mu.Unlock()
	mkcol("photosync-recent")
	c := chunkedClient(t, n)
	local, sum := randomFile(t, 6<<20, 6)
	if err := uploadFile(context.Background(), t, c, local, "/new.bin", domain.UploadMeta{SHA1: sum}, false); err != nil {
		t.Fatal(err)
	}
	if got := n.UploadFolders(); !slices.Equal(got, []string{"photosync-recent", "someone-elses-old"}) {
		t.Fatalf("upload folders: %q, want the recent one and another client's", got)
	}
}
