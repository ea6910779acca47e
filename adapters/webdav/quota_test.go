package webdav_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestQuotaOfAFolder: the home folder's free space comes from Nextcloud's
// 5-minute cache, a subfolder's is current; QuotaOf a missing folder asks
// its nearest parent.
func TestQuotaOfAFolder(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	n := davtest.StartNextcloud(t, davtest.WithQuota(1000), davtest.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	n.MkdirAll(t, "Photos")
	c := chunkedClient(t, n)
	if free, known, err := c.Quota(ctx); err != nil || !known || free != 1000 {
		t.Fatalf("Quota = %d, %v, %v", free, known, err)
	}
	n.SetQuota(400)
	if free, _, _ := c.Quota(ctx); free != 1000 {
		t.Fatalf("Quota of the home folder right after a change = %d, want the cached 1000", free)
	}
	for _, dir := range []string{"/Photos", "/Photos/2026/new"} {
		if free, known, err := c.QuotaOf(ctx, dir); err != nil || !known || free != 400 {
			t.Fatalf("QuotaOf(%s) = %d, %v, %v; want the current 400", dir, free, known, err)
		}
	}
}

// TestNoSpaceRereadsTheFolder: after a 507 the client reads the folder's
// space again and refuses, without sending it, a file that cannot fit;
// the error says NoSpace, which callers do not try again in the run.
func TestNoSpaceRereadsTheFolder(t *testing.T) {
	ctx := context.Background()
	n := davtest.StartNextcloud(t, davtest.WithQuota(100))
	n.MkdirAll(t, "P")
	c := chunkedClient(t, n)
	put := func(name string, size int) error {
		return c.Upload(ctx, "/P/"+name, bytes.NewReader(make([]byte, size)), int64(size), domain.UploadMeta{})
	}
	if err := put("big", 150); err == nil {
		t.Fatal("an upload over the quota worked")
	}
	puts := func() int {
		k := 0
		for _, r := range n.Requests() {
			if r.Method == http.MethodPut {
				k++
			}
		}
		return k
	}
	before := puts()
	err := put("big2", 120)
	var ns interface{ NoSpace() bool }
	if err == nil || !errors.As(err, &ns) || !ns.NoSpace() || puts() != before {
		t.Fatalf("second upload that cannot fit: %v (PUTs %d, before %d), want refused unsent", err, puts(), before)
	}
	if err := put("small", 50); err != nil {
		t.Fatalf("an upload that fits: %v", err)
	}
}
