package davtest

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// StartSilent starts a TCP listener on 127.0.0.1 that accepts connections
// and never answers, and answers its URL, for testing timeouts. The cleanup
// closes the listener and every connection it holds.
func StartSilent(t testing.TB) string {
	t.Helper()
	l := listenLocal(t)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return // the listener was closed
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		wg.Wait() // no connection is accepted after this
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String() + "/"
}

// ClosedURL answers the URL of a 127.0.0.1 port where nothing listens, so a
// connection is refused. It checks the port really refuses, trying another
// when some other process took it meanwhile.
func ClosedURL(t testing.TB) string {
	t.Helper()
	for range portAttempts {
		addr := hostPort(freePort(t))
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			continue
		}
		return "http://" + addr + "/"
	}
	t.Fatalf("davtest: found no closed port on 127.0.0.1 in %d attempts", portAttempts)
	return ""
}

// StartPlainHTTP starts a web server on 127.0.0.1 that does not speak
// WebDAV and answers its URL: GET and HEAD answer an HTML page, every other
// method 405 Method Not Allowed, as a static web server does.
func StartPlainHTTP(t testing.TB) string {
	t.Helper()
	return serveHTTP(t, http.HandlerFunc(plainHTTP)) + "/"
}

const plainPage = `<!DOCTYPE html>
<html><head><title>Welcome</title></head>
<body><h1>Welcome</h1><p>This is a plain web site, not a WebDAV server.</p></body></html>
`

func plainHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(plainPage))
	default:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
	}
}
