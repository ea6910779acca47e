package awslambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/photosync/photosync/domain"
)

// serveHTTP answers an API Gateway HTTP API (payload 2.0) or function URL
// request with the HTTP application. Both carry the same payload.
//
// The answer is buffered: Lambda returns a response whole (at most 6 MB).
// A request for an event stream, which would hold the invocation open
// until its deadline, is answered 204 No Content at once: browsers do not
// reconnect then, and the web UI asks for the jobs instead. A request gets
// at most HTTPTimeout, API Gateway's own limit.
func (h *Handler) serveHTTP(ctx context.Context, raw json.RawMessage) (events.APIGatewayV2HTTPResponse, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return events.APIGatewayV2HTTPResponse{}, domain.Errorf(domain.EINVALID, "the HTTP event is malformed: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.HTTPTimeout)
	defer cancel()
	req, err := NewRequest(ctx, ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if strings.Contains(req.Header.Get("Accept"), "text/event-stream") {
		return newResponse(http.StatusNoContent, http.Header{"Cache-Control": {"no-store"}}, nil), nil
	}
	w := newResponseBuffer(req.Method)
	h.d.HTTP.ServeHTTP(w, req)
	status, header, body := w.result()
	return newResponse(status, header, body), nil
}

// responseBuffer is the http.ResponseWriter of a request that came as an
// event: it keeps the answer whole, as net/http's server would have sent
// it. The headers are those set when the status was written (later
// changes are lost, as on a connection); a status without a body (1xx,
// 204, 304) refuses a body with http.ErrBodyNotAllowed, and a HEAD
// request's body is dropped; an answer with a body but no Content-Type
// gets the sniffed one. Flush writes the status: the body goes whole at
// the end in any case.
type responseBuffer struct {
	head   bool
	header http.Header // what the handler sets
	sent   http.Header // the headers when the status was written
	status int
	body   bytes.Buffer
	typed  bool // the Content-Type is decided: headers went with a flush
}

func newResponseBuffer(method string) *responseBuffer {
	return &responseBuffer{head: method == http.MethodHead, header: http.Header{}}
}

func (w *responseBuffer) Header() http.Header { return w.header }

// WriteHeader keeps the first final status and the headers as they are
// now. An informational status (1xx but 101) is not the answer: a
// function's answer has no room for it. A code net/http would refuse
// panics, as it does there.
func (w *responseBuffer) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.status != 0 || code < 200 && code != http.StatusSwitchingProtocols {
		return
	}
	w.status, w.sent = code, w.header.Clone()
}

func (w *responseBuffer) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.head {
		return len(p), nil
	}
	return w.body.Write(p)
}

// Flush implements http.Flusher for handlers that flush as they go: the
// headers are sent then, typed by the body written so far.
func (w *responseBuffer) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.sniff()
}

// result is the answer: its status (200 when the handler wrote nothing),
// headers and body.
func (w *responseBuffer) result() (int, http.Header, []byte) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.sniff()
	return w.status, w.sent, w.body.Bytes()
}

// sniff gives a body without a Content-Type the one its first bytes
// show, once, as the server does when it sends the headers.
func (w *responseBuffer) sniff() {
	if w.typed {
		return
	}
	w.typed = true
	_, typed := w.sent["Content-Type"]
	if !typed && w.body.Len() > 0 && w.sent.Get("Content-Encoding") == "" && w.sent.Get("Transfer-Encoding") == "" {
		w.sent.Set("Content-Type", http.DetectContentType(w.body.Bytes()))
	}
}

// bodyAllowed reports whether an answer of this status may have a body
// (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// NewRequest makes the HTTP request of a payload 2.0 event: the raw path
// and query, the headers (API Gateway has joined repeated ones with
// commas), the cookies, and the body, decoded when it came in base64.
func NewRequest(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "the HTTP event's body is not base64: %v", err)
		}
		body = b
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if path == "" {
		path = "/"
	}
	u := &url.URL{Path: path, RawQuery: ev.RawQueryString}
	if p, err := url.PathUnescape(path); err == nil && p != path {
		u.Path, u.RawPath = p, path
	}
	req, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, u.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the HTTP event's request is malformed: %v", err)
	}
	req.URL = u
	req.RequestURI = u.RequestURI()
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		req.Host = ev.RequestContext.DomainName
	}
	req.ContentLength = int64(len(body))
	req.RemoteAddr = ev.RequestContext.HTTP.SourceIP + ":0"
	if p := ev.RequestContext.HTTP.Protocol; p != "" {
		if major, minor, ok := http.ParseHTTPVersion(p); ok {
			req.Proto, req.ProtoMajor, req.ProtoMinor = p, major, minor
		}
	}
	return req, nil
}

// newResponse makes the payload 2.0 answer of an HTTP response: repeated
// headers joined with commas, Set-Cookie as cookies (which a comma would
// break), and the body in base64 unless it is text.
func newResponse(status int, header http.Header, body []byte) events.APIGatewayV2HTTPResponse {
	res := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{}}
	for k, vs := range header {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			res.Cookies = append(res.Cookies, vs...)
			continue
		}
		res.Headers[k] = strings.Join(vs, ",")
	}
	if len(body) == 0 || isText(header.Get("Content-Type")) && utf8.Valid(body) {
		res.Body = string(body)
	} else {
		res.Body, res.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return res
}

// isText reports whether a content type is text that goes in a JSON
// string as it is.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/javascript", "application/xml", "image/svg+xml":
		return true
	}
	return false
}
