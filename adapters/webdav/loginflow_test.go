package webdav_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestLoginFlowV2 walks the flow of the Login Flow document against the
// Nextcloud test server: start, poll (404), grant, poll (the app password,
// once), then the app password signs in and finds the user id, which is
// not the login name.
func TestLoginFlowV2(t *testing.T) {
	for _, base := range []string{"", "/nextcloud"} {
		t.Run("base path "+base, func(t *testing.T) {
			ctx := context.Background()
			n := davtest.StartNextcloud(t, davtest.WithBasePath(base))
			c := webdav.NewConnector(nil)
			for _, typed := range []string{n.BaseURL, n.DAVURL} {
				start, err := c.StartLoginFlow(ctx, domain.Credentials{URL: typed})
				if err != nil {
					t.Fatalf("StartLoginFlow(%s): %v", typed, err)
				}
				if !strings.HasPrefix(start.LoginURL, n.BaseURL+"/index.php/login/v2/flow/") ||
					start.PollEndpoint != n.BaseURL+"/index.php/login/v2/poll" || len(start.PollToken.Reveal()) != 128 {
					t.Fatalf("start from %s: %+v", typed, start)
				}
				if s := fmt.Sprintf("%v %+v %#v", start, start, start); strings.Contains(s, start.PollToken.Reveal()) {
					t.Fatalf("the poll token prints: %s", s)
				}
			}
			start, err := c.StartLoginFlow(ctx, domain.Credentials{URL: n.BaseURL})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, err := c.PollLoginFlow(ctx, domain.Credentials{}, start); ok || err != nil {
				t.Fatalf("poll before the grant: %v, %v", ok, err)
			}
			n.GrantLogin(t, start.LoginURL)
			grant, ok, err := c.PollLoginFlow(ctx, domain.Credentials{}, start)
			if !ok || err != nil {
				t.Fatalf("poll after the grant: %v, %v", ok, err)
			}
			app := grant.AppPassword.Reveal()
			if grant.Server != n.BaseURL || grant.LoginName != n.LoginName || len(app) != 72 || app == n.Password {
				t.Fatalf("grant %+v (%d characters)", grant, len(app))
			}
			if _, ok, err := c.PollLoginFlow(ctx, domain.Credentials{}, start); ok || err != nil {
				t.Fatalf("a second poll after the grant: %v, %v; Nextcloud answers once", ok, err)
			}
			d, err := c.Discover(ctx, domain.Credentials{URL: grant.Server, Username: grant.LoginName, Password: app})
			if err != nil || d.UserID != n.UserID || d.Endpoint != n.DAVURL {
				t.Fatalf("Discover with the app password: %+v, %v", d, err)
			}
			for _, r := range n.Requests() {
				if strings.HasSuffix(r.Path, "/index.php/login/v2") && (r.Method != http.MethodPost || r.Header.Get("User-Agent") != "photosync") {
					t.Errorf("start request %s with User-Agent %q", r.Method, r.Header.Get("User-Agent"))
				}
			}
		})
	}
}

func TestRevokeAppPassword(t *testing.T) {
	ctx := context.Background()
	n := davtest.StartNextcloud(t)
	c := webdav.NewConnector(nil)
	app := grantedAppPassword(t, c, n)
	st, err := c.Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: app}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.List(ctx, "/"); err != nil {
		t.Fatalf("the app password does not sign in: %v", err)
	}
	if revoked, err := st.RevokeAppPassword(ctx); !revoked || err != nil {
		t.Fatalf("RevokeAppPassword = %v, %v", revoked, err)
	}
	if n.Accepts(t, n.LoginName, app) {
		t.Fatal("the server still accepts the revoked app password")
	}
	_, err = st.List(ctx, "/")
	wantError(t, err, domain.EUNAUTHORIZED)
	_, err = st.RevokeAppPassword(ctx)
	wantError(t, err, domain.EUNAUTHORIZED)
	noPassword(t, err, app)

	// Signed in with the real password there is nothing to revoke, and
	// the password keeps working.
	real, err := c.Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	if revoked, err := real.RevokeAppPassword(ctx); revoked || err != nil {
		t.Fatalf("RevokeAppPassword with the real password = %v, %v", revoked, err)
	}
	if !n.Accepts(t, n.LoginName, n.Password) {
		t.Fatal("the real password stopped working")
	}
	// A plain WebDAV account has no app password.
	x := davtest.StartXNet(t)
	plain, err := c.Client(domain.Credentials{URL: x.URL, Username: x.Username, Password: x.Password}, domain.TypeWebDAV)
	if err != nil {
		t.Fatal(err)
	}
	if revoked, err := plain.RevokeAppPassword(ctx); revoked || err != nil {
		t.Fatalf("RevokeAppPassword on WebDAV = %v, %v", revoked, err)
	}
}

func TestStartLoginFlowRefusals(t *testing.T) {
	ctx := context.Background()
	c := webdav.NewConnector(nil)
	x := davtest.StartXNet(t)
	_, err := c.StartLoginFlow(ctx, domain.Credentials{URL: x.URL})
	wantError(t, err, domain.EINVALID, "is not a Nextcloud server")

	_, err = c.StartLoginFlow(ctx, domain.Credentials{URL: "http://127.0.0.1:1/"})
	wantError(t, err, domain.EUNAVAILABLE, "refused")

	// A server on https that would send the person's browser, or the poll
	// token, over plain http is refused.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/status.php":
			fmt.Fprint(w, `{"installed":true,"maintenance":false,"versionstring":"30.0.2"}`)
		case "/index.php/login/v2":
			fmt.Fprintf(w, `{"poll":{"token":"t","endpoint":"http://%s/index.php/login/v2/poll"},"login":"https://%s/index.php/login/v2/flow/x"}`, r.Host, r.Host)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	_, err = c.StartLoginFlow(ctx, domain.Credentials{URL: srv.URL, CACert: ca})
	wantError(t, err, domain.EINVALID, "did not answer the start of the sign-in as Nextcloud does")

	// A Nextcloud without Login Flow v2.
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/status.php" {
			fmt.Fprint(w, `{"installed":true,"maintenance":false,"versionstring":"12.0.0"}`)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(old.Close)
	_, err = c.StartLoginFlow(ctx, domain.Credentials{URL: old.URL})
	wantError(t, err, domain.EINVALID, "does not offer Login Flow v2")
}

// grantedAppPassword runs a login flow to its end and returns the app
// password.
func grantedAppPassword(t *testing.T, c *webdav.Connector, n *davtest.Nextcloud) string {
	t.Helper()
	ctx := context.Background()
	start, err := c.StartLoginFlow(ctx, domain.Credentials{URL: n.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	n.GrantLogin(t, start.LoginURL)
	grant, ok, err := c.PollLoginFlow(ctx, domain.Credentials{}, start)
	if !ok || err != nil {
		t.Fatalf("poll after the grant: %v, %v", ok, err)
	}
	return grant.AppPassword.Reveal()
}
