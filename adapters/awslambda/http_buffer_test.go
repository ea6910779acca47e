package awslambda

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bufferCases are handlers whose answers the responseBuffer must keep as
// net/http's server sends them.
var bufferCases = []struct {
	name    string
	method  string
	handler http.HandlerFunc
}{
	{"nothing written", "GET", func(w http.ResponseWriter, r *http.Request) {}},
	{"status and headers", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Many", "a")
		w.Header().Add("X-Many", "b")
		w.WriteHeader(http.StatusCreated)
		w.Header().Set("X-Late", "lost") // after the status: not sent
		io.WriteString(w, `{"id":1}`)
	}},
	{"implicit 200, sniffed type", "GET", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!DOCTYPE html><p>hello</p>")
	}},
	{"sniffed after an explicit status", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
	}},
	{"sniffing refused", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>")
	}},
	{"second status ignored", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "short and stout")
	}},
	{"early hints then the answer", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "body")
	}},
	{"no body for 204", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if _, err := io.WriteString(w, "dropped"); !errors.Is(err, http.ErrBodyNotAllowed) {
			panic("a 204 took a body")
		}
	}},
	{"no body for 304", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		w.WriteHeader(http.StatusNotModified)
		w.Write([]byte("dropped"))
	}},
	{"HEAD keeps headers, drops the body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Size", "4")
		io.WriteString(w, "body")
	}},
	{"flushed", "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		w.Header().Set("X-After", "lost")
		w.WriteHeader(http.StatusBadRequest) // too late: 200 went with the flush
		io.WriteString(w, "data: 1\n\n")
	}},
	{"written, then flushed", "GET", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
		http.NewResponseController(w).Flush()
		io.WriteString(w, "<html>")
	}},
}

// TestResponseBufferAsServer: for each handler, the buffer's status,
// headers and body are those a client of net/http's server receives.
func TestResponseBufferAsServer(t *testing.T) {
	for _, tc := range bufferCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(tc.handler)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the superfluous WriteHeader calls are meant
			srv.Start()
			defer srv.Close()
			req, err := http.NewRequest(tc.method, srv.URL+"/x", nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}

			w := newResponseBuffer(tc.method)
			tc.handler(w, httptest.NewRequest(tc.method, "/x", nil))
			status, header, body := w.result()

			if status != res.StatusCode || string(body) != string(want) {
				t.Errorf("answer %d %q, the server's %d %q", status, body, res.StatusCode, want)
			}
			// The server adds Date and framing headers of its own; every
			// header the buffer has, the server sent alike, and the other
			// way round but for those.
			for k, v := range header {
				if strings.Join(v, ",") != strings.Join(res.Header[k], ",") {
					t.Errorf("header %s = %q, the server's %q", k, v, res.Header[k])
				}
			}
			for k, v := range res.Header {
				switch k {
				case "Date", "Content-Length", "Transfer-Encoding", "Connection":
					continue
				}
				if _, ok := header[k]; !ok {
					t.Errorf("header %s missing (the server sent %q)", k, v)
				}
			}
		})
	}
}

// TestResponseBufferInvalidStatus: a code net/http refuses is a handler's
// bug and panics here as it does there.
func TestResponseBufferInvalidStatus(t *testing.T) {
	for _, code := range []int{0, 99, 1000} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("WriteHeader(%d) did not panic", code)
				}
			}()
			newResponseBuffer("GET").WriteHeader(code)
		}()
	}
}
