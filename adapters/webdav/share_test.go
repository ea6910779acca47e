package webdav_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestShareLink makes public links with the OCS Share API of the
// Nextcloud test server and checks them the way a visitor would.
func TestShareLink(t *testing.T) {
	for _, base := range []string{"", "/nextcloud"} {
		t.Run("base path "+base, func(t *testing.T) {
			ctx := context.Background()
			n := davtest.StartNextcloud(t, davtest.WithBasePath(base))
			n.WriteFile(t, "Photos/Trip 2026/a.jpg", []byte("jpeg"))
			st := nextcloudClient(t, n, n.Password)

			expires := time.Now().UTC().AddDate(0, 0, 7)
			link, err := st.ShareLink(ctx, "/Photos/Trip 2026", expires, "correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(link, n.BaseURL+"/index.php/s/") {
				t.Fatalf("link %q", link)
			}
			shares := listShares(t, n, "/Photos/Trip 2026")
			if len(shares) != 1 || shares[0].URL != link || shares[0].ShareType != 3 ||
				shares[0].Expiration != expires.Format(time.DateOnly)+" 00:00:00" || shares[0].Password == "" {
				t.Fatalf("shares %+v", shares)
			}
			if status, page := visit(t, "GET", link, nil); status != 200 || !strings.Contains(page, "password-protected") {
				t.Fatalf("a protected link's page: %d %s", status, page)
			}
			if status, page := visit(t, "POST", link+"/authenticate", url.Values{"password": {"wrong password!"}}); status != 200 || !strings.Contains(page, "wrong") {
				t.Fatalf("a wrong password: %d %s", status, page)
			}
			if status, _ := visit(t, "POST", link+"/authenticate", url.Values{"password": {"correct horse battery"}}); status != http.StatusSeeOther {
				t.Fatalf("the right password: %d", status)
			}

			open, err := st.ShareLink(ctx, "/Photos/Trip 2026/a.jpg", time.Time{}, "")
			if err != nil || open == link {
				t.Fatalf("a second link: %q, %v", open, err)
			}
			if status, page := visit(t, "GET", open, nil); status != 200 || !strings.Contains(page, "a.jpg") {
				t.Fatalf("an open link's page: %d %s", status, page)
			}
		})
	}
}

func TestShareLinkRefusals(t *testing.T) {
	ctx := context.Background()
	n := davtest.StartNextcloud(t)
	n.MkdirAll(t, "Photos")
	st := nextcloudClient(t, n, n.Password)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1)

	_, err := st.ShareLink(ctx, "/Nope", tomorrow, "")
	wantError(t, err, domain.ENOTFOUND, "/Nope not found")
	_, err = st.ShareLink(ctx, "/Photos", time.Now().UTC().AddDate(0, 0, -1), "")
	wantError(t, err, domain.EINVALID, "Nextcloud did not share /Photos", "Expiration date is in the past")
	_, err = st.ShareLink(ctx, "/Photos", tomorrow, "short")
	wantError(t, err, domain.EFORBIDDEN, "at least 10 characters")
	noPassword(t, err, "short")
	_, err = st.ShareLink(ctx, "/", tomorrow, "")
	wantError(t, err, domain.EINVALID, "whole folder")
	_, err = nextcloudClient(t, n, "Wrong-Password-9").ShareLink(ctx, "/Photos", tomorrow, "")
	wantError(t, err, domain.EUNAUTHORIZED, "user name or password")
	if shares := listShares(t, n, ""); len(shares) != 0 {
		t.Fatalf("refused shares were made: %+v", shares)
	}

	x := davtest.StartXNet(t)
	plain, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: x.URL, Username: x.Username, Password: x.Password}, domain.TypeWebDAV)
	if err != nil {
		t.Fatal(err)
	}
	_, err = plain.ShareLink(ctx, "/", tomorrow, "")
	wantError(t, err, domain.EINVALID, "need a Nextcloud server")
}

func nextcloudClient(t *testing.T, n *davtest.Nextcloud, password string) *webdav.Client {
	t.Helper()
	c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: password}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type share struct {
	ShareType  int    `json:"share_type"`
	Path       string `json:"path"`
	Expiration string `json:"expiration"`
	Password   string `json:"password"`
	URL        string `json:"url"`
}

// listShares asks the share API for the user's links (of one path).
func listShares(t *testing.T, n *davtest.Nextcloud, path string) []share {
	t.Helper()
	u := n.BaseURL + "/ocs/v2.php/apps/files_sharing/api/v1/shares?format=json"
	if path != "" {
		u += "&path=" + url.QueryEscape(path)
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.SetBasicAuth(n.LoginName, n.Password)
	req.Header.Set("OCS-APIRequest", "true")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		OCS struct{ Data []share }
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("list shares: %d %v", res.StatusCode, err)
	}
	return body.OCS.Data
}

// visit opens a link as a visitor's browser would, without following
// redirects.
func visit(t *testing.T, method, link string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, link, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(page)
}
