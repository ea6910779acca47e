package webdav_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

func TestDiscoverNextcloud(t *testing.T) {
	for _, base := range []string{"", "/nextcloud"} {
		t.Run("base path "+base, func(t *testing.T) {
			n := davtest.StartNextcloud(t, davtest.WithBasePath(base))
			if n.LoginName == n.UserID {
				t.Fatalf("the test needs a login name (%q) other than the user id", n.LoginName)
			}
			c := webdav.NewConnector(nil)
			for _, url := range []string{n.BaseURL, n.BaseURL + "/", n.WebDAVURL, n.DAVURL} {
				d, err := c.Discover(context.Background(), domain.Credentials{URL: url, Username: n.LoginName, Password: n.Password})
				if err != nil {
					t.Fatalf("Discover(%s): %v", url, err)
				}
				want := domain.Discovery{Type: domain.TypeNextcloud, Endpoint: n.DAVURL, UserID: n.UserID}
				if d.Version == "" {
					t.Errorf("Discover(%s) found no version", url)
				}
				d.Version = ""
				if d != want {
					t.Fatalf("Discover(%s) = %+v, want %+v", url, d, want)
				}
			}
			s, err := c.Open(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password}, domain.TypeNextcloud)
			if err != nil {
				t.Fatal(err)
			}
			n.WriteFile(t, "Photos/a.jpg", []byte("jpeg"))
			if list, err := s.List(context.Background(), "/Photos"); err != nil || len(list) != 1 || list[0].Name != "a.jpg" {
				t.Fatalf("List on the discovered endpoint = %+v, %v", list, err)
			}
		})
	}
}

func TestDiscoverWebDAV(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *davtest.Server{
		"xnet": davtest.StartXNet, "rclone": davtest.StartRclone, "apache": davtest.StartApache,
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			d, err := webdav.NewConnector(nil).Discover(context.Background(),
				domain.Credentials{URL: s.URL, Username: s.Username, Password: s.Password})
			if err != nil {
				t.Fatal(err)
			}
			if want := (domain.Discovery{Type: domain.TypeWebDAV, Endpoint: s.URL}); d != want {
				t.Fatalf("Discover = %+v, want %+v", d, want)
			}
		})
	}
}

func TestDiscoverWrongPassword(t *testing.T) {
	xnet := davtest.StartXNet(t)
	nc := davtest.StartNextcloud(t)
	for _, creds := range []domain.Credentials{
		{URL: xnet.URL, Username: xnet.Username, Password: "Wrong-Password-1"},
		{URL: nc.BaseURL, Username: nc.LoginName, Password: "Wrong-Password-2"},
		{URL: nc.DAVURL, Username: "mallory", Password: nc.Password},
	} {
		_, err := webdav.NewConnector(nil).Discover(context.Background(), creds)
		wantError(t, err, domain.EUNAUTHORIZED, "the server rejected the user name or password", fmt.Sprintf("%q", creds.Username))
		noPassword(t, err, creds.Password)
	}
}

func TestDiscoverFailures(t *testing.T) {
	tlsServer := davtest.StartTLS(t)
	xnet := davtest.StartXNet(t)
	for _, tc := range []struct {
		name  string
		creds domain.Credentials
		code  string
		parts []string
	}{
		{"missing folder", domain.Credentials{URL: xnet.URL + "missing/", Username: xnet.Username, Password: xnet.Password}, domain.ENOTFOUND, []string{"no WebDAV folder at http://127.0.0.1:", "/missing/"}},
		{"closed port", domain.Credentials{URL: davtest.ClosedURL(t)}, domain.EUNAVAILABLE, []string{"connection to 127.0.0.1:", "refused"}},
		{"plain HTTP", domain.Credentials{URL: davtest.StartPlainHTTP(t)}, domain.EINVALID, []string{"is not a WebDAV server (PROPFIND answered 405 Method Not Allowed)"}},
		{"unknown host", domain.Credentials{URL: "photosync-test.invalid"}, domain.EUNAVAILABLE, []string{"photosync-test.invalid"}},
		{"untrusted certificate", domain.Credentials{URL: tlsServer.URL}, domain.EINVALID, []string{
			"the server's TLS certificate is not trusted",
			"subject CN=" + davtest.TestServerName, "issuer CN=" + davtest.TestCAName,
			"add the issuer's CA certificate",
		}},
		{"bad CA certificate", domain.Credentials{URL: tlsServer.URL, CACert: "not a certificate"}, domain.EINVALID, []string{"ca_cert: no PEM certificate found"}},
		{"HTTPS to an HTTP server", domain.Credentials{URL: strings.Replace(davtest.StartXNet(t).URL, "http:", "https:", 1)}, domain.EINVALID, []string{"does not speak HTTPS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.creds.Username == "" {
				tc.creds.Username, tc.creds.Password = "someone", "Secret-Password-3"
			}
			_, err := webdav.NewConnector(nil).Discover(context.Background(), tc.creds)
			wantError(t, err, tc.code, tc.parts...)
			noPassword(t, err, tc.creds.Password)
		})
	}
}

func TestDiscoverTrustsTheAccountsCA(t *testing.T) {
	s := davtest.StartTLS(t)
	d, err := webdav.NewConnector(nil).Discover(context.Background(),
		domain.Credentials{URL: s.URL, Username: s.Username, Password: s.Password, CACert: s.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	if d.Type != domain.TypeWebDAV || d.Endpoint != s.URL {
		t.Fatalf("Discover = %+v", d)
	}
}

func TestDiscoverTimeout(t *testing.T) {
	url := davtest.StartSilent(t)
	start := time.Now()
	_, err := webdav.NewConnector(nil).Discover(context.Background(),
		domain.Credentials{URL: url, Username: "someone", Password: "pw", Timeout: time.Second})
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Discover took %v with a timeout of 1s", took)
	}
	wantError(t, err, domain.EUNAVAILABLE, "the server did not answer within 1s")
	if errors.Is(err, context.Canceled) {
		t.Fatal("a timeout reads as a cancellation")
	}
}

func TestDiscoverCancelled(t *testing.T) {
	arrived := make(chan struct{}, 1)
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // a GET of status.php has no body, so the server notices the client going
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	start := time.Now()
	_, err := webdav.NewConnector(nil).Discover(ctx, domain.Credentials{URL: url, Username: testUser, Password: testPassword})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Discover cancelled mid-request: %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Discover returned %v after being cancelled", took)
	}
}

// wantError fails unless err is a remote *domain.Error with code whose
// message contains every part.
func wantError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if domain.ErrorCode(err) != code || !domain.IsRemote(err) {
		t.Fatalf("error %v (code %q, remote %v), want a remote %s", err, domain.ErrorCode(err), domain.IsRemote(err), code)
	}
	for _, p := range parts {
		if !strings.Contains(domain.ErrorMessage(err), p) {
			t.Fatalf("message %q does not contain %q", domain.ErrorMessage(err), p)
		}
	}
}

// noPassword fails when the password shows anywhere in err's chain.
func noPassword(t *testing.T, err error, password string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s := fmt.Sprintf("%v %+v %#v", e, e, e); strings.Contains(s, password) {
			t.Fatalf("the error shows the password: %s", s)
		}
	}
}
