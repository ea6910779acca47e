package testkit_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/internal/testkit"
)

func TestPoll(t *testing.T) {
	n := 0
	if !testkit.Poll(time.Second, time.Millisecond, func() bool { n++; return n == 3 }) || n != 3 {
		t.Errorf("Poll: %d calls, want true after 3", n)
	}
	start := time.Now()
	n = 0
	if testkit.Poll(20*time.Millisecond, time.Millisecond, func() bool { n++; return false }) {
		t.Error("Poll of a condition that never holds returned true")
	}
	if waited := time.Since(start); waited < 20*time.Millisecond || n < 2 {
		t.Errorf("Poll gave up after %v and %d calls, want the whole 20ms", waited, n)
	}
	// The condition is looked at even when the time is up.
	n = 0
	if !testkit.Poll(0, time.Millisecond, func() bool { n++; return true }) || n != 1 {
		t.Errorf("Poll with no time: %d calls", n)
	}
}

// TestClient: the request carries the JSON body, the token and the
// headers; the answer is decoded; a string body goes as it is.
func TestClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/empty" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "path": r.URL.Path, "body": string(body), "type": r.Header.Get("Content-Type"),
			"auth": r.Header.Get("Authorization"), "extra": r.Header.Get("X-Extra"),
		})
	}))
	defer srv.Close()
	c := &testkit.Client{T: t, URL: srv.URL, Token: "tok", Header: http.Header{"X-Extra": {"1"}}}
	var got map[string]string
	if st := c.Call("POST", "/api/x", map[string]int{"a": 1}, &got); st != http.StatusCreated {
		t.Errorf("status %d", st)
	}
	want := map[string]string{"method": "POST", "path": "/api/x", "body": `{"a":1}`, "type": "application/json", "auth": "Bearer tok", "extra": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	c.Token = ""
	res, raw := c.Do("PUT", "/raw", `{"b":2}`)
	if res.StatusCode != http.StatusCreated || !strings.Contains(string(raw), `"body":"{\"b\":2}"`) || !strings.Contains(string(raw), `"auth":""`) {
		t.Errorf("raw body: %d %s", res.StatusCode, raw)
	}
	res, raw = c.Do("GET", "/none", "")
	if !strings.Contains(string(raw), `"type":""`) {
		t.Errorf("an empty body was sent with a type: %d %s", res.StatusCode, raw)
	}
	got = map[string]string{"kept": "1"}
	if st := c.Call("DELETE", "/empty", nil, &got); st != http.StatusNoContent || got["kept"] != "1" {
		t.Errorf("an empty answer: %d %v", st, got)
	}
}

// TestBuild builds a small command with a tag and for another system.
func TestBuild(t *testing.T) {
	bin := testkit.Build(t, testkit.Binary{Package: "./testdata/hello", Tags: "testkit"})
	if filepath.Base(bin) != "hello" {
		t.Errorf("binary %s, want one named after its folder", bin)
	}
	out, err := exec.Command(bin).Output()
	if err != nil || strings.TrimSpace(string(out)) != "hello testkit "+runtime.GOOS {
		t.Errorf("%s: %q, %v", bin, out, err)
	}
	wasm := testkit.Build(t, testkit.Binary{Package: "./testdata/hello", Name: "hello.wasm", GOOS: "wasip1", GOARCH: "wasm"})
	if data, err := os.ReadFile(wasm); err != nil || !strings.HasPrefix(string(data), "\x00asm") {
		t.Errorf("%s is not WebAssembly: %.8q %v", wasm, data, err)
	}
}
