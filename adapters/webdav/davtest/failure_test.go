package davtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

func TestTLS(t *testing.T) {
	t.Parallel()
	s := davtest.StartTLS(t)
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %q, want https://127.0.0.1:PORT/", s.URL)
	}

	// A client that trusts only the system's CAs must refuse the server.
	_, err := http.Get(s.URL)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("GET with system roots: err = %v, want x509.UnknownAuthorityError", err)
	}
	if got := unknown.Cert.Issuer.CommonName; got != davtest.TestCAName {
		t.Errorf("issuer CN = %q, want %q", got, davtest.TestCAName)
	}
	if got := unknown.Cert.Subject.CommonName; got != davtest.TestServerName {
		t.Errorf("subject CN = %q, want %q", got, davtest.TestServerName)
	}

	// Trusting the test CA, the server is an ordinary WebDAV server, by IP
	// and by the name localhost.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
	for _, url := range []string{s.URL, strings.Replace(s.URL, "127.0.0.1", "localhost", 1)} {
		req, _ := http.NewRequest("PROPFIND", url, nil)
		req.Header.Set("Depth", "0")
		req.SetBasicAuth(s.Username, s.Password)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("PROPFIND %s trusting the test CA: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMultiStatus {
			t.Fatalf("PROPFIND %s = %d, want 207", url, resp.StatusCode)
		}
	}
}

func TestSilent(t *testing.T) {
	t.Parallel()
	url := davtest.StartSilent(t)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := client.Get(url)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("GET %s: err = %v, want a timeout", url, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the timeout took %v", d)
	}
}

func TestClosedURL(t *testing.T) {
	t.Parallel()
	url := davtest.ClosedURL(t)
	_, err := http.Get(url)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET %s: err = %v, want connection refused", url, err)
	}
}

func TestPlainHTTP(t *testing.T) {
	t.Parallel()
	url := davtest.StartPlainHTTP(t)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "<html") {
		t.Fatalf("GET = %d %q %q, want 200 with an HTML page", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	code, _, _ := do(t, "PROPFIND", url, "u", "p", map[string]string{"Depth": "0"}, nil)
	if code != http.StatusMethodNotAllowed {
		t.Fatalf("PROPFIND = %d, want 405", code)
	}
}
