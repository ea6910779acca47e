package webdav_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestUploadsBackOff: a server that answers 503 to more than two uploads
// at once makes the client send fewer at once; it does not keep sending
// eight and collecting 503s.
func TestUploadsBackOff(t *testing.T) {
	var inflight, busy atomic.Int32
	n := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut {
				next.ServeHTTP(w, r)
				return
			}
			defer inflight.Add(-1)
			if inflight.Add(1) > 2 {
				busy.Add(1)
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			time.Sleep(5 * time.Millisecond) // the server's work on the file
			next.ServeHTTP(w, r)
		})
	}))
	n.MkdirAll(t, "P")
	c := chunkedClient(t, n)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				data := []byte(fmt.Sprintf("file %d-%d", w, i))
				var err error
				for try := 0; try < 50; try++ { // as the app's retry policy does
					if err = c.Upload(context.Background(), fmt.Sprintf("/P/%d-%d.jpg", w, i), bytes.NewReader(data), int64(len(data)), domain.UploadMeta{}); err == nil {
						break
					}
				}
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d uploads failed", failed.Load())
	}
	if got := busy.Load(); got > 20 { // without the gate: hundreds, and uploads failing after 50 tries
		t.Fatalf("the server answered 503 %d times for 48 uploads, want the client to back off", got)
	}
	t.Logf("503 answers: %d; bound now %d", busy.Load(), c.UploadBound())
}
