package webdav_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
	"github.com/photosync/photosync/domain"
)

// TestChunkedUploadThroughFaults sends a file's chunks several at once
// through the fault proxy, which fails a share of the chunk PUTs (5xx,
// resets before the answer and in the middle of the body): each try that
// fails resumes in the same folder, and once the proxy heals the file is
// assembled whole.
func TestChunkedUploadThroughFaults(t *testing.T) {
	n := davtest.StartNextcloud(t)
	p := faultproxy.Start(t, n.DAVURL, faultproxy.Config{
		Seed: 11, Rate: 0.3,
		Faults: []faultproxy.Fault{faultproxy.Status503, faultproxy.Status500, faultproxy.ResetBefore, faultproxy.ResetMidBody},
		Match:  func(r *http.Request) bool { return chunkPut(r) != 0 },
	})
	c := chunkedClient(t, &davtest.Nextcloud{DAVURL: p.URL, LoginName: n.LoginName, Password: n.Password})
	local, sum := randomFile(t, 8*testChunk+777, 24)
	meta := domain.UploadMeta{SHA1: sum, ModTime: time.Unix(1700000000, 0)}
	tries, failed := 0, 0
	for ; tries < 30; tries++ {
		if tries == 15 {
			p.SetRate(0)
		}
		err := uploadFile(context.Background(), t, c, local, "/faulty.bin", meta, false)
		if err == nil {
			break
		}
		failed++
		if !domain.IsRemote(err) || errors.Is(err, context.Canceled) {
			t.Fatalf("try %d: %v, want a remote error", tries+1, err)
		}
		noUploadGoroutines(t)
	}
	if failed == 0 || failed == tries+1 {
		t.Fatalf("%d of %d tries failed (%s), want some, then success", failed, tries+1, p.Summary())
	}
	if got, want := n.ReadFile(t, "faulty.bin"), mustRead(t, local); !bytes.Equal(got, want) {
		t.Fatal("the assembled file is not the one sent")
	}
	mkcols := 0
	for _, r := range n.Requests() {
		if r.Method == "MKCOL" {
			mkcols++
		}
	}
	if mkcols != 1 {
		t.Fatalf("%d upload folders were made, want 1: every try resumes the first", mkcols)
	}
	if left := n.UploadFolders(); len(left) != 0 {
		t.Fatalf("upload folders left: %q", left)
	}
	t.Logf("%d tries, %s", tries+1, p.Summary())
}
