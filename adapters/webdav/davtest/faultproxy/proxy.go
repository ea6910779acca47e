// Package faultproxy is a small reverse proxy for tests that stands between
// photosync and a real WebDAV server and injects the faults of a bad
// network and a struggling server at a seeded rate: 503 and 500, 429 with
// Retry-After, 423, connections reset before an answer and in the middle of
// a body (of the answer, or of an upload, a part of which then reaches the
// server), answers cut short under a correct status and Content-Length,
// stalls longer than the client's timeout, and latency. It counts every
// fault it injects, so a test can report what its client survived.
//
//	srv := davtest.StartXNet(t)
//	p := faultproxy.Start(t, srv.URL, faultproxy.Config{Seed: 1, Rate: 0.1})
//	// ... connect photosync to p.URL with srv.Username and srv.Password ...
//	faultproxy.Report(t, "fault proxy sync", p.Summary())
package faultproxy

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is one way a request can go wrong.
type Fault int

// The faults. None forwards the request untouched.
const (
	None         Fault = iota
	Status503          // 503 Service Unavailable, without Retry-After
	Status500          // 500 Internal Server Error
	Status429          // 429 Too Many Requests with Retry-After
	Status423          // 423 Locked
	ResetBefore        // the connection is reset before any answer
	ResetMidBody       // reset in the middle of the answer's body, or of an upload's
	ShortBody          // the real status and Content-Length, then half the body and a clean close
	StallHeader        // no answer for Config.Stall, then a reset
	StallBody          // the status and half the body, then nothing for Config.Stall, then a reset
	numFaults
)

// AllFaults lists every fault, the default of Config.Faults.
var AllFaults = []Fault{Status503, Status500, Status429, Status423, ResetBefore, ResetMidBody, ShortBody, StallHeader, StallBody}

var faultNames = [numFaults]string{"none", "503", "500", "429", "423", "reset before answer", "reset mid-body",
	"short body", "stall before answer", "stall mid-body"}

func (f Fault) String() string {
	if f < 0 || f >= numFaults {
		return fmt.Sprintf("Fault(%d)", int(f))
	}
	return faultNames[f]
}

// Config is what the proxy injects and how often.
type Config struct {
	// Seed seeds the choice of faults, so that a failing run can be told
	// apart from another by its seed. Requests arriving concurrently take
	// their draws in arrival order.
	Seed uint64
	// Rate is the share of requests (0 to 1) that get a fault.
	Rate float64
	// Faults are the faults drawn from, equally likely; AllFaults when nil.
	Faults []Fault
	// Match picks the requests that may get a fault; every one when nil.
	Match func(*http.Request) bool
	// RetryAfter is the Retry-After of a 429, in seconds; 1 when 0.
	RetryAfter int
	// Stall is how long a stall lasts (it ends earlier when the client
	// goes away); 10 seconds when 0. Make it longer than the client's
	// timeout.
	Stall time.Duration
	// Latency delays every request by a random time below it.
	Latency time.Duration
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	// URL is the proxy's address with the upstream's path, ending as the
	// upstream URL does: use it in place of the server's URL.
	URL string

	cfg      Config
	upstream *url.URL
	client   *http.Client

	mu      sync.Mutex
	rng     *rand.Rand
	rate    float64
	counts  [numFaults]int
	total   int // requests seen
	delayed int // requests delayed by latency
	// outlasted counts stalls the client did not give up on
	satOut []string // the requests of those stalls
}

// Start starts a proxy on 127.0.0.1 in front of the server at upstream
// (a URL whose path the proxy keeps) and stops it when the test ends.
func Start(t testing.TB, upstream string, cfg Config) *Proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil || u.Host == "" {
		t.Fatalf("faultproxy: upstream %q is not a URL: %v", upstream, err)
	}
	if cfg.Faults == nil {
		cfg.Faults = AllFaults
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 1
	}
	if cfg.Stall <= 0 {
		cfg.Stall = 10 * time.Second
	}
	p := &Proxy{
		cfg: cfg, upstream: u, rate: cfg.Rate,
		rng:    rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: listen: %v", err)
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close() // stalled and hijacked connections end here
		}
		<-done
		p.client.CloseIdleConnections()
	})
	pu := *u
	pu.Host = l.Addr().String()
	p.URL = pu.String()
	return p
}

// SetRate changes the share of requests that get a fault; 0 heals the
// server.
func (p *Proxy) SetRate(rate float64) {
	p.mu.Lock()
	p.rate = rate
	p.mu.Unlock()
}

// Counts returns how many times each fault was injected so far.
func (p *Proxy) Counts() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Fault]int{}
	for f, n := range p.counts {
		if Fault(f) != None && n > 0 {
			out[Fault(f)] = n
		}
	}
	return out
}

// Injected returns how many faults were injected in all.
func (p *Proxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for f, c := range p.counts {
		if Fault(f) != None {
			n += c
		}
	}
	return n
}

// Requests returns how many requests the proxy received.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// Summary describes what was injected, for a report: "412 faults in 5120
// requests (120 503, 31 500, ...)".
func (p *Proxy) Summary() string {
	counts := p.Counts()
	var parts []string
	for f := Status503; f < numFaults; f++ {
		if n := counts[f]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, f))
		}
	}
	return fmt.Sprintf("%d faults in %d requests (%s)", p.Injected(), p.Requests(), strings.Join(parts, ", "))
}

// draw picks the fault for a request, and whether it is delayed.
func (p *Proxy) draw(r *http.Request) (Fault, time.Duration) {
	match := p.cfg.Match == nil || p.cfg.Match(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	var delay time.Duration
	if p.cfg.Latency > 0 {
		delay = time.Duration(p.rng.Int64N(int64(p.cfg.Latency)))
		p.delayed++
	}
	f := None
	if match && p.rng.Float64() < p.rate {
		f = p.cfg.Faults[p.rng.IntN(len(p.cfg.Faults))]
	}
	return f, delay
}

// count counts a fault as injected. A fault drawn for a request it does
// not fit (a cut body of an answer without one) is not counted.
func (p *Proxy) count(f Fault) {
	p.mu.Lock()
	p.counts[f]++
	p.mu.Unlock()
}

// ServeHTTP forwards a request to the upstream server, or fails it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, delay := p.draw(r)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch f {
	case Status503, Status500, Status423, Status429, ResetBefore, StallHeader:
		p.count(f)
	}
	switch f {
	case Status503, Status500, Status423, Status429:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		status := map[Fault]int{Status503: 503, Status500: 500, Status423: 423, Status429: 429}[f]
		if f == Status429 {
			w.Header().Set("Retry-After", fmt.Sprint(p.cfg.RetryAfter))
		}
		http.Error(w, fmt.Sprintf("%d %s (injected)", status, http.StatusText(status)), status)
		return
	case ResetBefore:
		reset(w, nil)
		return
	case StallHeader:
		if conn := hijack(w); conn != nil {
			p.stall(conn, r, f)
			linger0(conn)
			conn.Close()
		}
		return
	}
	if f == ResetMidBody && r.ContentLength > 1 {
		p.count(f)
		p.cutUpload(w, r)
		return
	}
	resp, err := p.forward(r, r.Body)
	if err != nil {
		http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	switch f {
	case ResetMidBody, ShortBody, StallBody:
		if resp.ContentLength > 1 {
			p.count(f)
			p.cutAnswer(w, r, resp, f)
			return
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// forward sends r to the upstream server with body.
func (p *Proxy) forward(r *http.Request, body io.Reader) (*http.Response, error) {
	u := *r.URL
	u.Scheme, u.Host = p.upstream.Scheme, p.upstream.Host
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	out.ContentLength = r.ContentLength
	if r.ContentLength == 0 {
		out.Body = http.NoBody
	}
	return p.client.Do(out)
}

// cutUpload sends half of an upload's body to the server, then breaks
// both connections: the server sees the upload end early, as when the
// network fails, and may keep the part it received.
func (p *Proxy) cutUpload(w http.ResponseWriter, r *http.Request) {
	half := r.ContentLength / 2
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	body := io.MultiReader(io.LimitReader(r.Body, half), &cancelAtEOF{cancel: cancel})
	out := r.Clone(ctx)
	if resp, err := p.forward(out, body); err == nil {
		resp.Body.Close()
	}
	reset(w, nil)
}

// cancelAtEOF cancels the upstream request when the part of the body that
// goes through has been read, which aborts it mid-body.
type cancelAtEOF struct{ cancel context.CancelFunc }

func (c *cancelAtEOF) Read([]byte) (int, error) {
	c.cancel()
	return 0, context.Canceled
}

// cutAnswer writes the server's status, header and half its body on the
// raw connection, then resets it (ResetMidBody), closes it cleanly
// (ShortBody), or stalls first (StallBody).
func (p *Proxy) cutAnswer(w http.ResponseWriter, r *http.Request, resp *http.Response, f Fault) {
	var head strings.Builder
	fmt.Fprintf(&head, "HTTP/1.1 %s\r\n", resp.Status)
	resp.Header.Set("Content-Length", fmt.Sprint(resp.ContentLength))
	resp.Header.Del("Transfer-Encoding")
	resp.Header.Set("Connection", "close")
	_ = resp.Header.Write(&head)
	head.WriteString("\r\n")
	part := make([]byte, resp.ContentLength/2)
	n, _ := io.ReadFull(resp.Body, part)
	conn := hijack(w)
	if conn == nil {
		return
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head.String()); err != nil {
		return
	}
	if _, err := conn.Write(part[:n]); err != nil {
		return
	}
	switch f {
	case ShortBody:
		return // a clean close after a short body
	case StallBody:
		p.stall(conn, r, f)
	}
	linger0(conn)
}

// stall holds a connection for Config.Stall or until the client closes
// it, whatever it sends meanwhile, and counts a stall the client sat out.
func (p *Proxy) stall(conn net.Conn, r *http.Request, f Fault) {
	deadline := time.Now().Add(p.cfg.Stall)
	_ = conn.SetReadDeadline(deadline)
	buf := make([]byte, 32<<10)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if !time.Now().Before(deadline) {
		p.mu.Lock()
		p.satOut = append(p.satOut, fmt.Sprintf("%s %s (%v, Content-Length %d, Expect %q)", r.Method, r.URL.Path, f, r.ContentLength, r.Header.Get("Expect")))
		p.mu.Unlock()
	}
}

// Outlasted returns the requests ("GET /a.jpg") whose stall the client
// sat out to the end instead of giving up after its timeout.
func (p *Proxy) Outlasted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.satOut...)
}

// reset closes the client's connection with a TCP reset, before any
// answer.
func reset(w http.ResponseWriter, _ []byte) {
	conn := hijack(w)
	if conn == nil {
		return
	}
	linger0(conn)
	conn.Close()
}

func hijack(w http.ResponseWriter) net.Conn {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // closes the connection all the same
	}
	return conn
}

// linger0 makes Close send a reset rather than a clean end.
func linger0(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}
