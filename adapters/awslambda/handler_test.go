package awslambda_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/photosync/photosync/adapters/awslambda"
	"github.com/photosync/photosync/domain"
)

// echoHandler answers with what it received, as headers, and a binary body.
func echoHandler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		c, _ := r.Cookie("session")
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Escaped-Path", r.URL.EscapedPath())
		w.Header().Set("X-Query", r.URL.Query().Get("q"))
		w.Header().Set("X-Cookie", c.String())
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Remote", r.RemoteAddr)
		w.Header().Add("X-Many", "a")
		w.Header().Add("X-Many", "b")
		http.SetCookie(w, &http.Cookie{Name: "one", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "two", Value: "2", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)})
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusTeapot)
		w.Write(append([]byte{0xff, 0}, body...))
	})
}

func TestHTTPEvent(t *testing.T) {
	h := awslambda.New(nil, awslambda.Settings{HTTP: echoHandler(t)})
	body := []byte{1, 2, 0xfe}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/api/v1/photos/a%20b.jpg", RawQueryString: "q=x%26y",
		Cookies: []string{"session=s1", "other=o"}, Headers: map[string]string{"host": "fn.example", "content-type": "image/jpeg"},
		Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
	}
	ev.RequestContext.HTTP.Method = "PUT"
	ev.RequestContext.HTTP.SourceIP = "192.0.2.7"
	raw, _ := json.Marshal(ev)
	out, err := h.Handle(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	res, ok := out.(events.APIGatewayV2HTTPResponse)
	if !ok {
		t.Fatalf("answer %T", out)
	}
	for k, v := range map[string]string{
		"X-Method": "PUT", "X-Path": "/api/v1/photos/a b.jpg", "X-Escaped-Path": "/api/v1/photos/a%20b.jpg",
		"X-Query": "x&y", "X-Cookie": "session=s1", "X-Host": "fn.example", "X-Remote": "192.0.2.7:0", "X-Many": "a,b",
	} {
		if res.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, res.Headers[k], v)
		}
	}
	if res.StatusCode != http.StatusTeapot || len(res.Cookies) != 2 || res.Cookies[0] != "one=1" || res.Headers["Set-Cookie"] != "" {
		t.Errorf("status %d, cookies %q, Set-Cookie header %q", res.StatusCode, res.Cookies, res.Headers["Set-Cookie"])
	}
	got, err := base64.StdEncoding.DecodeString(res.Body)
	if !res.IsBase64Encoded || err != nil || !bytes.Equal(got, append([]byte{0xff, 0}, body...)) {
		t.Errorf("body %q (base64 %v): %v", res.Body, res.IsBase64Encoded, err)
	}
}

func TestNewResponseText(t *testing.T) {
	for _, tc := range []struct {
		ctype  string
		body   string
		base64 bool
	}{
		{"application/json; charset=utf-8", `{"a":1}`, false},
		{"text/html; charset=utf-8", "<p>é</p>", false},
		{"image/svg+xml", "<svg/>", false},
		{"application/problem+json", "{}", false},
		{"image/jpeg", "\xff\xd8", true},
		{"text/plain", "\xff\xfe", true}, // not UTF-8
		{"", "", false},
	} {
		res := awslambda.NewResponse(200, http.Header{"Content-Type": {tc.ctype}}, []byte(tc.body))
		body := res.Body
		if res.IsBase64Encoded {
			b, _ := base64.StdEncoding.DecodeString(body)
			body = string(b)
		}
		if res.IsBase64Encoded != tc.base64 || body != tc.body {
			t.Errorf("%q: base64 %v body %q; want base64 %v", tc.ctype, res.IsBase64Encoded, body, tc.base64)
		}
	}
}

func TestUnknownEvents(t *testing.T) {
	h := awslambda.New(nil, awslambda.Settings{})
	for _, ev := range []string{
		`[1]`,
		`{}`,
		`{"source": "aws.s3", "detail-type": "Object Created"}`,
		`{"action": "delete"}`,
		`{"action": "sync"}`,
		`{"action": "sync", "account": "one"}`,
		`{"action": "sync", "account": -1}`,
	} {
		if _, err := h.Handle(context.Background(), json.RawMessage(ev)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v, want EINVALID", ev, err)
		}
	}
}

func TestDefaultMargin(t *testing.T) {
	for _, tc := range []struct{ left, want time.Duration }{
		{15 * time.Minute, 10 * time.Second},
		{30 * time.Second, 3 * time.Second},
		{3 * time.Second, time.Second},
		{time.Second, 500 * time.Millisecond},
		{0, 0},
	} {
		if got := awslambda.DefaultMargin(tc.left); got != tc.want {
			t.Errorf("DefaultMargin(%v) = %v, want %v", tc.left, got, tc.want)
		}
	}
}

// TestEventStreamRefused: an event stream would hold the invocation until
// its deadline; it is refused at once, and the application never sees it.
func TestEventStreamRefused(t *testing.T) {
	h := awslambda.New(nil, awslambda.Settings{HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the application got %s %s", r.Method, r.URL)
	})})
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/api/v1/events", Headers: map[string]string{"accept": "text/event-stream"}}
	ev.RequestContext.HTTP.Method = "GET"
	raw, _ := json.Marshal(ev)
	out, err := h.Handle(context.Background(), raw)
	if res, ok := out.(events.APIGatewayV2HTTPResponse); err != nil || !ok || res.StatusCode != http.StatusNoContent || res.Body != "" {
		t.Fatalf("event stream: %+v, %v", out, err)
	}
}

// TestHTTPTimeout: a request's context ends after HTTPTimeout.
func TestHTTPTimeout(t *testing.T) {
	h := awslambda.New(nil, awslambda.Settings{HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		w.WriteHeader(http.StatusGatewayTimeout)
	})})
	h.HTTPTimeout = 50 * time.Millisecond
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/slow"}
	ev.RequestContext.HTTP.Method = "GET"
	raw, _ := json.Marshal(ev)
	out, err := h.Handle(context.Background(), raw)
	if res, ok := out.(events.APIGatewayV2HTTPResponse); err != nil || !ok || res.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("slow request: %+v, %v", out, err)
	}
}
