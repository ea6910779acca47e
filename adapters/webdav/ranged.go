package webdav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// rangePartSize is the size of the parts of a ranged download: large
// enough that a part's request costs little next to its bytes, small
// enough that Streams of them in memory stay a few dozen MiB. A variable
// only so that a test can lower it.
var rangePartSize int64 = 8 << 20

// maxStreams bounds the parts of one download in flight, whatever the
// caller asks for, and so its memory (maxStreams * rangePartSize).
const maxStreams = 16

// errNoRanges is a 416 answer to the first part's request: the file is
// empty or shorter than the part, and one plain request reads it.
var errNoRanges = errors.New("the server cannot send that part")

// downloadRanged downloads a file in parts of rangePartSize, up to
// opts.Streams of them at once, and reads them back in order.
//
// The first part's request is the probe: a server that ignores Range
// answers 200 with the whole file, which is then read as it comes, and a
// file that fits in the first part is read from that answer alone. The
// other parts are asked for with If-Range and the first answer's strong
// ETag, else its Last-Modified, so that a server whose file changed
// answers 200 with the new file rather than a part of it; every part's
// answer must also name the same size, ETag and Last-Modified, and
// exactly the bytes asked for. A change fails reading with an error
// wrapping ports.ErrChanged (the caller reads the file again in one
// stream); a file without a validator is read in one stream from the
// start, since its parts could not be told apart from another version's.
//
// Memory stays bounded: a part is fetched only while fewer than Streams
// parts are being fetched or wait to be read, each in a buffer of
// rangePartSize that is used again once read.
func (c *Client) downloadRanged(ctx context.Context, p string, opts ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	t := c.target("download", p)
	u := c.url(p)
	rctx, cancel := context.WithCancel(ctx)
	first, err := c.getRange(rctx, t, u, 0, rangePartSize-1, "")
	if errors.Is(err, errNoRanges) {
		cancel()
		return c.downloadOne(ctx, p, opts)
	}
	if err != nil {
		cancel()
		return nil, domain.RemoteFile{}, err
	}
	if first.StatusCode == http.StatusOK {
		// The server sends whole files only: this is the download.
		f := remoteFileOf(p, first.Header, first.ContentLength)
		body := &cancelBody{ReadCloser: first.Body, cancel: cancel}
		return &downloadBody{rc: body, ctx: ctx, t: t}, f, nil
	}
	from, to, size, ok := contentRange(first.Header.Get("Content-Range"))
	if !ok || from != 0 || size < 0 || to != min(rangePartSize, size)-1 {
		first.Body.Close()
		cancel()
		return nil, domain.RemoteFile{}, t.badPart(first.Header.Get("Content-Range"))
	}
	f := remoteFileOf(p, first.Header, size)
	if size <= rangePartSize {
		body := &cancelBody{ReadCloser: first.Body, cancel: cancel}
		return &downloadBody{rc: body, ctx: ctx, t: t}, f, nil
	}
	validator := ifRange(first.Header)
	if validator == "" {
		first.Body.Close()
		cancel()
		return c.downloadOne(ctx, p, opts)
	}
	rb := &rangedBody{
		ctx: rctx, cancel: cancel, c: c, t: t, u: u,
		size: size, etag: f.ETag, lastModified: first.Header.Get("Last-Modified"), validator: validator,
		retry:  opts.Retry,
		tokens: make(chan struct{}, min(opts.Streams, maxStreams)),
		bufs:   make(chan []byte, min(opts.Streams, maxStreams)),
		failed: make(chan struct{}),
	}
	if rb.retry == nil {
		rb.retry = func(ctx context.Context, try func(context.Context) error) error { return try(ctx) }
	}
	for off := int64(0); off < size; off += rangePartSize {
		rb.parts = append(rb.parts, &rangePart{off: off, n: min(rangePartSize, size-off), done: make(chan struct{})})
	}
	rb.wg.Add(1)
	go rb.fetchAll(first)
	return &downloadBody{rc: rb, ctx: ctx, t: t}, f, nil
}

// getRange asks for the bytes from to to of u, with If-Range when
// validator is not "". It returns an answer of 200 or 206 with its body
// to read; errNoRanges for a 416.
func (c *Client) getRange(ctx context.Context, t target, u *url.URL, from, to int64, validator string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, t.transportError(ctx, err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to))
	if validator != "" {
		req.Header.Set("If-Range", validator)
	}
	req.SetBasicAuth(c.user, c.pass)
	hc, x := c.http(ctx, sameServerRedirects)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, t.transportError(ctx, errors.Join(x.err, err))
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
		return nil, errNoRanges
	}
	return nil, t.statusError(http.MethodGet, u.Redacted(), resp.StatusCode, resp.Header)
}

// rangedBody reads the parts of a ranged download in order while they
// are fetched; see downloadRanged.
type rangedBody struct {
	ctx    context.Context // ends the fetches; cancelled by Close or a failure
	cancel context.CancelFunc
	c      *Client
	t      target
	u      *url.URL

	size         int64
	etag         string // of the first answer
	lastModified string // of the first answer
	validator    string // the If-Range of every other part
	retry        func(ctx context.Context, try func(context.Context) error) error
	parts        []*rangePart

	tokens chan struct{} // one per part being fetched or waiting to be read
	bufs   chan []byte   // buffers of parts read, for the next parts
	wg     sync.WaitGroup

	failOnce sync.Once
	failed   chan struct{} // closed at the first part that failed for good
	failErr  error

	// The reader's own, unguarded: Read is not called concurrently.
	cur int   // the part being read
	off int   // how much of it was read
	err error // the error Read returns from now on
}

// rangePart is one part of a ranged download: its bytes once done is
// closed, or the error that fetching them ended with.
type rangePart struct {
	off, n int64
	done   chan struct{}
	buf    []byte
	err    error
}

// fetchAll starts the fetch of each part as soon as a token is free;
// first is the answer to the first part's request.
func (rb *rangedBody) fetchAll(first *http.Response) {
	defer rb.wg.Done()
	for i, p := range rb.parts {
		if rb.ctx.Err() != nil { // a failure or Close: start nothing more
			if i == 0 {
				first.Body.Close()
			}
			return
		}
		select {
		case rb.tokens <- struct{}{}:
		case <-rb.ctx.Done():
			if i == 0 {
				first.Body.Close()
			}
			return
		}
		var resp *http.Response // the first part's answer is there already
		if i == 0 {
			resp = first
		}
		rb.wg.Add(1)
		go func() {
			defer rb.wg.Done()
			rb.fetch(p, resp)
		}()
	}
}

// fetch reads one part into a buffer. A request that breaks off is sent
// again, through the retry, for the bytes still missing.
func (rb *rangedBody) fetch(p *rangePart, first *http.Response) {
	var buf []byte
	select {
	case buf = <-rb.bufs:
	default:
		buf = make([]byte, rangePartSize)
	}
	buf = buf[:p.n]
	var got int64
	err := rb.retry(rb.ctx, func(ctx context.Context) error {
		resp := first
		first = nil
		if resp == nil {
			var err error
			if resp, err = rb.c.getRange(ctx, rb.t, rb.u, p.off+got, p.off+p.n-1, rb.validator); err != nil {
				return err
			}
			if err := rb.samePart(resp, p.off+got, p.off+p.n-1); err != nil {
				resp.Body.Close()
				return err
			}
		}
		defer resp.Body.Close()
		n, err := io.ReadFull(resp.Body, buf[got:])
		got += int64(n)
		if err != nil {
			return rb.t.transportError(ctx, err)
		}
		return nil
	})
	if first != nil {
		first.Body.Close() // the retry gave up before the first try
	}
	p.buf, p.err = buf, err
	if err != nil {
		rb.failOnce.Do(func() {
			rb.failErr = err
			close(rb.failed)
			rb.cancel()
		})
	}
	close(p.done)
}

// samePart checks that an answer holds the bytes from to to of the file
// the first answer came from.
func (rb *rangedBody) samePart(resp *http.Response, from, to int64) error {
	h := resp.Header
	if resp.StatusCode == http.StatusOK || // If-Range found another version
		(rb.etag != "" && h.Get("ETag") != rb.etag) ||
		(rb.lastModified != "" && h.Get("Last-Modified") != "" && h.Get("Last-Modified") != rb.lastModified) {
		return rb.t.changed()
	}
	gotFrom, gotTo, size, ok := contentRange(h.Get("Content-Range"))
	if ok && size >= 0 && size != rb.size {
		return rb.t.changed()
	}
	if !ok || gotFrom != from || gotTo != to {
		return rb.t.badPart(h.Get("Content-Range"))
	}
	return nil
}

// Read reads the parts in order, each once it has been fetched whole. A
// part that failed for good fails the read at once, whichever part is
// being read.
func (rb *rangedBody) Read(b []byte) (int, error) {
	for rb.err == nil {
		if rb.cur == len(rb.parts) {
			return 0, io.EOF
		}
		p := rb.parts[rb.cur]
		select {
		case <-p.done:
		case <-rb.failed:
		}
		select {
		case <-rb.failed:
			rb.err = rb.failErr
			continue
		default:
		}
		if rb.off < len(p.buf) {
			n := copy(b, p.buf[rb.off:])
			rb.off += n
			return n, nil
		}
		select { // the part is read: its buffer and token serve the next
		case rb.bufs <- p.buf[:cap(p.buf)]:
		default:
		}
		p.buf = nil
		<-rb.tokens
		rb.cur, rb.off = rb.cur+1, 0
	}
	return 0, rb.err
}

// Close stops the fetches and waits for them to end.
func (rb *rangedBody) Close() error {
	rb.cancel()
	rb.wg.Wait()
	if rb.err == nil {
		rb.err = errors.New("read after close")
	}
	return nil
}

// cancelBody is an answer's body whose request ends when it is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// ifRange is the If-Range validator of an answer: its ETag when strong,
// else its Last-Modified when strong too (at least a second before the
// answer's Date), as RFC 9110 allows no other there; "" when it has
// neither. Apache, for one, gives a file changed within the last second a
// weak ETag and ignores If-Range with its date.
func ifRange(h http.Header) string {
	if etag := h.Get("ETag"); strings.HasPrefix(etag, `"`) && len(etag) > 1 {
		return etag
	}
	lm, err1 := http.ParseTime(h.Get("Last-Modified"))
	date, err2 := http.ParseTime(h.Get("Date"))
	if err1 != nil || err2 != nil || date.Sub(lm) < time.Second {
		return ""
	}
	return h.Get("Last-Modified")
}

// contentRange parses "bytes <from>-<to>/<size>"; size is -1 for "*".
func contentRange(v string) (from, to, size int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	span, total, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	from, err1 = strconv.ParseInt(a, 10, 64)
	to, err2 = strconv.ParseInt(b, 10, 64)
	size = -1
	if total != "*" {
		size, err3 = strconv.ParseInt(total, 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || from < 0 || to < from || (size >= 0 && to >= size) {
		return 0, 0, 0, false
	}
	return from, to, size, true
}

// changed is the error of a download whose file changed between parts.
func (t target) changed() error {
	return &domain.Error{
		Code: domain.ECONFLICT, Remote: true, Err: ports.ErrChanged,
		Message: t.what + " changed on the server while it was downloaded in parts",
	}
}

// badPart is the error of an answer with other bytes than those asked for.
func (t target) badPart(contentRange string) error {
	return &domain.Error{
		Code: domain.EINVALID, Remote: true,
		Message: fmt.Sprintf("the server sent another part of %s than the one asked for (Content-Range %q)", t.what, contentRange),
	}
}
