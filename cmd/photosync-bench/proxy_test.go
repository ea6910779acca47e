package bench

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// counter is a reverse proxy on 127.0.0.1 in front of the WebDAV server
// that counts the requests passing through it, by method.
type counter struct {
	URL string // the proxy's WebDAV endpoint, the server's path kept

	mu       sync.Mutex
	byMethod map[string]int
	errors   int          // requests the proxy could not pass on
	errLog   bytes.Buffer // what the proxy logged, e.g. a body cut short
}

// startCounter starts a counting proxy in front of target, a WebDAV URL.
func startCounter(t testing.TB, target string) *counter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{byMethod: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 64, 64 // never the bottleneck
	// Apache closes a keep-alive connection idle for 5 s; a request the
	// proxy sent on one just then would fail as if the tool had erred.
	tr.IdleConnTimeout = time.Second
	rp.Transport = tr
	// Apache also closes a connection after 100 requests on it
	// (MaxKeepAliveRequests); a request sent on it as it closes fails.
	// Go's transport sends such a request again on a new connection when
	// it is idempotent and its body can be read again: listings and GETs
	// are made so, so that the proxy adds no failure of its own.
	director := rp.Director
	rp.Director = func(r *http.Request) {
		director(r)
		switch r.Method {
		case http.MethodGet, http.MethodHead, "PROPFIND":
		default:
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil || len(body) == 1<<20 {
				// Not replayable: sent once, as it came.
				r.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		r.Header["Idempotency-Key"] = nil // replayable, and not sent
	}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		c.mu.Lock()
		c.errors++
		c.mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
	}
	rp.ErrorLog = log.New(&c.errLog, "", 0)
	var up, down *shaper
	if *linkFlag > 0 {
		up, down = &shaper{rate: *linkFlag * 1e6}, &shaper{rate: *linkFlag * 1e6}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.byMethod[r.Method]++
		c.mu.Unlock()
		if up != nil {
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = shapedBody{r.Body, up}
			}
			w = shapedWriter{w, down}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL + u.Path
	return c
}

// take answers the requests counted since the last take, and starts again.
func (c *counter) take() requests {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := requests(c.byMethod)
	c.byMethod = map[string]int{}
	return r
}

// requests counts HTTP requests by method.
type requests map[string]int

// total is the number of requests of every method.
func (r requests) total() int {
	n := 0
	for _, v := range r {
		n += v
	}
	return n
}

// String lists the methods by count, e.g. "PUT 200, MKCOL 20".
func (r requests) String() string {
	methods := make([]string, 0, len(r))
	for m := range r {
		methods = append(methods, m)
	}
	slices.SortFunc(methods, func(a, b string) int {
		if r[a] != r[b] {
			return r[b] - r[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = fmt.Sprintf("%s %d", m, r[m])
	}
	return strings.Join(parts, ", ")
}

// shaper paces the bytes of one direction of a link of rate bytes a
// second, shared by every connection (-link-mbs).
type shaper struct {
	rate float64
	mu   sync.Mutex
	next time.Time // when the link is free again
}

// pass waits until n more bytes have had their time on the link.
func (s *shaper) pass(n int) {
	s.mu.Lock()
	now := time.Now()
	if s.next.Before(now) {
		s.next = now
	}
	s.next = s.next.Add(time.Duration(float64(n) / s.rate * float64(time.Second)))
	wait := time.Until(s.next)
	s.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

// shapedChunk is the most a shaped read or write passes at once.
const shapedChunk = 32 << 10

type shapedBody struct {
	io.ReadCloser
	s *shaper
}

func (b shapedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p[:min(len(p), shapedChunk)])
	b.s.pass(n)
	return n, err
}

type shapedWriter struct {
	http.ResponseWriter
	s *shaper
}

func (w shapedWriter) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		k := min(len(p), shapedChunk)
		w.s.pass(k)
		n, err := w.ResponseWriter.Write(p[:k])
		done += n
		if err != nil {
			return done, err
		}
		p = p[k:]
	}
	return done, nil
}

func (w shapedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
