package webdav

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestEndlessListing: a listing that never ends is cut at the limit on
// what photosync reads, with a clear error; the limit is lowered here so
// that the test reads 8 MB rather than 256.
func TestEndlessListing(t *testing.T) {
	old := maxListingBody
	maxListingBody = 8 << 20
	t.Cleanup(func() { maxListingBody = old })
	h := davtest.StartHostile(t, davtest.HostileEndless)
	c, err := NewConnector(nil).Client(domain.Credentials{URL: h.URL, Username: h.Username, Password: h.Password, Timeout: 5 * time.Second}, domain.TypeWebDAV)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(context.Background(), "/Photos")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "is larger than photosync reads") {
		t.Fatalf("List of an endless answer: %v; want EINVALID saying it is larger than photosync reads", err)
	}
	if n := h.Served(); n > 16<<20 {
		t.Errorf("the server sent %d MB before the client stopped reading", n>>20)
	}
}
