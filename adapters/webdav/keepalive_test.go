package webdav_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/domain"
)

// closingServer answers the first request on each connection with a
// listing of an empty folder, kept alive, then closes the connection when
// the next request comes: what Apache does at its MaxKeepAliveRequests,
// the race a client meets when it reuses the connection just then. It
// answers how many connections it accepted.
func closingServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				body := `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/</d:href>` +
					`<d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:getetag>"1"</d:getetag></d:prop>` +
					`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`
				fmt.Fprintf(c, "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				// The next request on this connection is read, and not answered.
				if req, err := http.ReadRequest(br); err == nil {
					io.Copy(io.Discard, req.Body)
				}
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/dav/", &conns
}

func TestListingSentAgainWhenTheServerClosesAKeptAliveConnection(t *testing.T) {
	url, conns := closingServer(t)
	c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: url, Username: testUser, Password: testPassword, Timeout: 5 * time.Second}, domain.TypeWebDAV)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.List(ctx, "/"); err != nil {
			t.Fatalf("listing %d: %v (a listing on a connection the server closed is sent again)", i+1, err)
		}
	}
	if n := conns.Load(); n < 5 {
		t.Fatalf("the server saw %d connections for 5 listings: the test did not reuse closed connections", n)
	}
}
