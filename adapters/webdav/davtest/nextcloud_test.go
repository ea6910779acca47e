package davtest_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// nc sends one request to the Nextcloud server with its login name.
func nc(t *testing.T, n *davtest.Nextcloud, method, url string, header map[string]string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	return do(t, method, url, n.LoginName, n.Password, header, body)
}

func TestNextcloudDefaults(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	if n.LoginName == n.UserID {
		t.Fatalf("login name and user id are both %q; they must differ", n.UserID)
	}
	if want := n.BaseURL + "/remote.php/dav/files/alice/"; n.DAVURL != want {
		t.Errorf("DAVURL = %q, want %q", n.DAVURL, want)
	}
	if !strings.HasPrefix(n.BaseURL, "http://127.0.0.1:") || strings.HasSuffix(n.BaseURL, "/") {
		t.Errorf("BaseURL = %q, want http://127.0.0.1:PORT without a trailing slash", n.BaseURL)
	}
}

func TestNextcloudStatus(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	code, h, body := do(t, "GET", n.BaseURL+"/status.php", "", "", nil, nil)
	want := `{"installed":true,"maintenance":false,"needsDbUpgrade":false,"version":"30.0.2.2",` +
		`"versionstring":"30.0.2","edition":"","productname":"Nextcloud","extendedSupport":false}`
	if code != http.StatusOK || string(body) != want || h.Get("Content-Type") != "application/json" {
		t.Fatalf("status.php = %d %q %s, want 200 application/json %s", code, h.Get("Content-Type"), body, want)
	}
}

func TestNextcloudBasePath(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t, davtest.WithBasePath("/nextcloud/"))
	if !strings.HasSuffix(n.BaseURL, "/nextcloud") {
		t.Fatalf("BaseURL = %q, want it to end in /nextcloud", n.BaseURL)
	}
	if code, _, _ := do(t, "GET", n.BaseURL+"/status.php", "", "", nil, nil); code != http.StatusOK {
		t.Fatalf("status.php below the base path = %d, want 200", code)
	}
	root := strings.TrimSuffix(n.BaseURL, "/nextcloud")
	if code, _, _ := do(t, "GET", root+"/status.php", "", "", nil, nil); code != http.StatusNotFound {
		t.Fatalf("status.php outside the base path = %d, want 404", code)
	}
	roundTrip(t, n.Server())
	code, _, body := nc(t, n, "PROPFIND", n.DAVURL, map[string]string{"Depth": "1"}, nil)
	if code != http.StatusMultiStatus || !strings.Contains(string(body), "<d:href>/nextcloud/remote.php/dav/files/alice/photos/</d:href>") {
		t.Fatalf("PROPFIND = %d %s, want hrefs below /nextcloud", code, body)
	}
}

type ocsMeta struct {
	Status     string `json:"status" xml:"status"`
	StatusCode int    `json:"statuscode" xml:"statuscode"`
	Message    string `json:"message" xml:"message"`
}

// ocsUser is the part of the OCS envelope the tests look at, in both JSON
// and XML.
type ocsUser struct {
	Meta ocsMeta `json:"meta" xml:"meta"`
	Data struct {
		ID          string `json:"id" xml:"id"`
		DisplayName string `json:"display-name" xml:"display-name"`
		Email       string `json:"email" xml:"email"`
	} `json:"data" xml:"data"`
}

func TestNextcloudOCSUser(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	api := map[string]string{"OCS-APIRequest": "true"}
	tests := []struct {
		name     string
		url      string
		header   map[string]string
		json     bool
		wantCode int
	}{
		{"v1 json by parameter", "/ocs/v1.php/cloud/user?format=json", api, true, 100},
		{"v1 json by Accept", "/ocs/v1.php/cloud/user", map[string]string{"OCS-APIRequest": "true", "Accept": "application/json"}, true, 100},
		{"v1 xml", "/ocs/v1.php/cloud/user", api, false, 100},
		{"v2 json", "/ocs/v2.php/cloud/user?format=json", api, true, 200},
		{"v2 xml", "/ocs/v2.php/cloud/user", api, false, 200},
	}
	for _, tt := range tests {
		for _, user := range []string{n.LoginName, n.UserID} {
			code, h, body := do(t, "GET", n.BaseURL+tt.url, user, n.Password, tt.header, nil)
			if code != http.StatusOK {
				t.Fatalf("%s as %s: HTTP %d %s, want 200", tt.name, user, code, body)
			}
			var got struct {
				OCS ocsUser `json:"ocs"`
			}
			var err error
			if tt.json {
				if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", tt.name, ct)
				}
				err = json.Unmarshal(body, &got)
			} else {
				if ct := h.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", tt.name, ct)
				}
				if !bytes.HasPrefix(body, []byte("<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>ok</status>")) {
					t.Errorf("%s: XML does not start as Nextcloud's: %s", tt.name, body)
				}
				err = xml.Unmarshal(body, &got.OCS)
			}
			if err != nil {
				t.Fatalf("%s: decode: %v\n%s", tt.name, err, body)
			}
			m, d := got.OCS.Meta, got.OCS.Data
			if m.Status != "ok" || m.StatusCode != tt.wantCode || m.Message != "OK" {
				t.Errorf("%s: meta = %+v, want ok %d OK", tt.name, m, tt.wantCode)
			}
			if d.ID != "alice" || d.DisplayName != "Alice" || d.Email != "alice@example.com" {
				t.Errorf("%s: data = %+v, want alice, Alice, alice@example.com", tt.name, d)
			}
		}
	}
}

func TestNextcloudOCSFailures(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	api := map[string]string{"OCS-APIRequest": "true"}
	for _, v := range []string{"v1", "v2"} {
		url := n.BaseURL + "/ocs/" + v + ".php/cloud/user?format=json"
		code, h, body := do(t, "GET", url, n.LoginName, "wrong", api, nil)
		// data is PHP's empty array, [], so only meta is decoded.
		var got struct {
			OCS struct {
				Meta ocsMeta `json:"meta"`
			} `json:"ocs"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s wrong password: %v\n%s", v, err, body)
		}
		if code != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" ||
			got.OCS.Meta.StatusCode != 997 || got.OCS.Meta.Status != "failure" {
			t.Fatalf("%s wrong password = %d %q %s, want 401 with WWW-Authenticate and statuscode 997", v, code, h.Get("WWW-Authenticate"), body)
		}
		if !strings.Contains(string(body), `"data":[]`) {
			t.Errorf("%s wrong password: data is not PHP's empty array: %s", v, body)
		}

		code, _, body = do(t, "GET", url, n.LoginName, n.Password, nil, nil)
		if code != http.StatusPreconditionFailed || string(body) != `{"message":"CSRF check failed"}` {
			t.Fatalf("%s without OCS-APIRequest = %d %s, want 412 CSRF check failed", v, code, body)
		}
	}
}

func TestNextcloudDAV(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	roundTrip(t, n.Server())

	// Both endpoints serve the same files, with the login name or the id.
	data := []byte("same file")
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"both.txt", nil, data); code != http.StatusCreated {
		t.Fatalf("PUT = %d, want 201", code)
	}
	code, _, got := do(t, "GET", n.WebDAVURL+"both.txt", n.UserID, n.Password, nil, nil)
	if code != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET on the legacy endpoint = %d %q, want 200 %q", code, got, data)
	}
	if code, _, _ := nc(t, n, "PUT", n.WebDAVURL+"both.txt", nil, []byte("new")); code != http.StatusNoContent {
		t.Fatalf("PUT replacing a file = %d, want 204", code)
	}
	_, _, body := nc(t, n, "PROPFIND", n.WebDAVURL, map[string]string{"Depth": "1"}, nil)
	if !strings.Contains(string(body), "<d:href>/remote.php/webdav/both.txt</d:href>") {
		t.Errorf("legacy PROPFIND hrefs are not below /remote.php/webdav/: %s", body)
	}

	// Another user's files do not exist for alice.
	other := strings.Replace(n.DAVURL, "/alice/", "/"+n.LoginName+"/", 1)
	if code, _, _ := nc(t, n, "PROPFIND", other, map[string]string{"Depth": "0"}, nil); code != http.StatusNotFound {
		t.Errorf("PROPFIND on the login name's path = %d, want 404", code)
	}

	code, h, _ := do(t, "PROPFIND", n.DAVURL, n.LoginName, "wrong", map[string]string{"Depth": "0"}, nil)
	if code != http.StatusUnauthorized || h.Get("WWW-Authenticate") != `Basic realm="Nextcloud", charset="UTF-8"` {
		t.Errorf("wrong password = %d %q, want 401 with Nextcloud's challenge", code, h.Get("WWW-Authenticate"))
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"missing/x.jpg", nil, data); code != http.StatusConflict {
		t.Errorf("PUT into a missing folder = %d, want 409", code)
	}
	if code, _, _ := nc(t, n, "MKCOL", n.DAVURL+"photos", nil, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("MKCOL of an existing folder = %d, want 405", code)
	}
	for _, depth := range []string{"infinity", ""} {
		h := map[string]string{}
		if depth != "" {
			h["Depth"] = depth
		}
		if code, _, _ := nc(t, n, "PROPFIND", n.DAVURL, h, nil); code != http.StatusForbidden {
			t.Errorf("PROPFIND with Depth %q = %d, want 403", depth, code)
		}
	}
	var depths []string
	for _, r := range n.Requests() {
		if r.Method == "PROPFIND" {
			depths = append(depths, r.Depth)
		}
	}
	if len(depths) == 0 || depths[len(depths)-1] != "" || depths[len(depths)-2] != "infinity" {
		t.Errorf("recorded PROPFIND depths %q, want the last two to be infinity and none", depths)
	}
}

// propfindETag answers the getetag of a PROPFIND Depth: 0 on url.
func propfindETag(t *testing.T, n *davtest.Nextcloud, url string) string {
	t.Helper()
	code, _, body := nc(t, n, "PROPFIND", url, map[string]string{"Depth": "0"}, nil)
	m := regexp.MustCompile(`<d:getetag>&quot;([0-9a-f]+)&quot;</d:getetag>`).FindSubmatch(body)
	if code != http.StatusMultiStatus || m == nil {
		t.Fatalf("PROPFIND %s = %d %s, want 207 with a quoted getetag", url, code, body)
	}
	return string(m[1])
}

func TestNextcloudETagPropagation(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	for _, dir := range []string{"a/", "a/b/", "a/b/c/", "other/"} {
		if code, _, _ := nc(t, n, "MKCOL", n.DAVURL+dir, nil, nil); code != http.StatusCreated {
			t.Fatalf("MKCOL %s = %d", dir, code)
		}
	}
	folders := []string{"", "a/", "a/b/", "a/b/c/", "other/"}
	before := map[string]string{}
	for _, f := range folders {
		before[f] = propfindETag(t, n, n.DAVURL+f)
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"a/b/c/deep.jpg", nil, []byte("jpeg")); code != http.StatusCreated {
		t.Fatalf("PUT = %d", code)
	}
	for _, f := range folders {
		after := propfindETag(t, n, n.DAVURL+f)
		if changed := after != before[f]; changed != (f != "other/") {
			t.Errorf("ETag of %q: %s -> %s; want a change only above the new file", f, before[f], after)
		}
	}

	// A file a test writes behind the server's back counts as a change too.
	root := propfindETag(t, n, n.DAVURL)
	n.WriteFile(t, "other/new.txt", []byte("x"))
	if propfindETag(t, n, n.DAVURL) == root {
		t.Error("root ETag unchanged after WriteFile")
	}

	// MOVE keeps the file id; the old parent's ETag changes.
	fileID := func(url string) string {
		t.Helper()
		body := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/><oc:permissions/><oc:size/><d:getcontentlength/></d:prop></d:propfind>`
		code, _, got := nc(t, n, "PROPFIND", url, map[string]string{"Depth": "0"}, []byte(body))
		m := regexp.MustCompile(`<oc:fileid>(\d+)</oc:fileid>`).FindSubmatch(got)
		if code != http.StatusMultiStatus || m == nil {
			t.Fatalf("PROPFIND oc:fileid %s = %d %s", url, code, got)
		}
		return string(m[1])
	}
	id := fileID(n.DAVURL + "a/b/c/deep.jpg")
	c := propfindETag(t, n, n.DAVURL+"a/b/c/")
	code, _, _ := nc(t, n, "MOVE", n.DAVURL+"a/b/c/deep.jpg", map[string]string{"Destination": n.DAVURL + "other/moved.jpg"}, nil)
	if code != http.StatusCreated {
		t.Fatalf("MOVE = %d, want 201", code)
	}
	if got := fileID(n.DAVURL + "other/moved.jpg"); got != id {
		t.Errorf("file id after MOVE = %s, want %s", got, id)
	}
	if propfindETag(t, n, n.DAVURL+"a/b/c/") == c {
		t.Error("ETag of the folder a file was moved out of did not change")
	}
	code, _, _ = nc(t, n, "COPY", n.DAVURL+"other/moved.jpg", map[string]string{"Destination": n.DAVURL + "a/copy.jpg"}, nil)
	if code != http.StatusCreated || fileID(n.DAVURL+"a/copy.jpg") == id {
		t.Errorf("COPY = %d; want 201 and a new file id", code)
	}
	code, _, _ = nc(t, n, "COPY", n.DAVURL+"other/moved.jpg", map[string]string{"Destination": n.DAVURL + "a/copy.jpg", "Overwrite": "F"}, nil)
	if code != http.StatusPreconditionFailed {
		t.Errorf("COPY with Overwrite: F onto a file = %d, want 412", code)
	}
	if code, _, _ := nc(t, n, "DELETE", n.DAVURL+"a/", nil, nil); code != http.StatusNoContent {
		t.Errorf("DELETE = %d, want 204", code)
	}
}

func TestNextcloudHrefEscaping(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	if code, _, _ := nc(t, n, "MKCOL", n.DAVURL+"Caf%C3%A9%20photos/", nil, nil); code != http.StatusCreated {
		t.Fatalf("MKCOL = %d", code)
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"Caf%C3%A9%20photos/%C3%A9t%C3%A9%20(1)%2B.jpg", nil, []byte("x")); code != http.StatusCreated {
		t.Fatalf("PUT = %d", code)
	}
	if got := string(n.ReadFile(t, "Café photos/été (1)+.jpg")); got != "x" {
		t.Fatalf("file on disk = %q", got)
	}
	code, _, body := nc(t, n, "PROPFIND", n.DAVURL+"Caf%C3%A9%20photos/", map[string]string{"Depth": "1"}, nil)
	for _, want := range []string{
		"<d:href>/remote.php/dav/files/alice/Caf%c3%a9%20photos/</d:href>",
		"<d:href>/remote.php/dav/files/alice/Caf%c3%a9%20photos/%c3%a9t%c3%a9%20(1)%2b.jpg</d:href>",
	} {
		if code != http.StatusMultiStatus || !strings.Contains(string(body), want) {
			t.Errorf("PROPFIND = %d, want %s in\n%s", code, want, body)
		}
	}
}

func TestNextcloudOptions(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t, davtest.WithDepthInfinityAsOne(), davtest.WithEmptyChunkedPUT())
	// As real Nextcloud: infinity is answered as Depth 1.
	code, _, body := nc(t, n, "PROPFIND", n.DAVURL, map[string]string{"Depth": "infinity"}, nil)
	if code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND Depth infinity = %d %s, want 207", code, body)
	}

	// A PUT without Content-Length stores nothing, as behind PHP-FPM.
	put := func(n *davtest.Nextcloud) int {
		req, _ := http.NewRequest("PUT", n.DAVURL+"chunked.jpg", struct{ *strings.Reader }{strings.NewReader("data")})
		req.SetBasicAuth(n.LoginName, n.Password)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put(n); code != http.StatusCreated || len(n.ReadFile(t, "chunked.jpg")) != 0 {
		t.Fatalf("chunked PUT with WithEmptyChunkedPUT = %d; want 201 and an empty file", code)
	}
	if last := n.Requests()[len(n.Requests())-1]; last.ContentLength != -1 {
		t.Errorf("recorded ContentLength = %d, want -1", last.ContentLength)
	}
	strict := davtest.StartNextcloud(t)
	if code := put(strict); code != http.StatusLengthRequired {
		t.Fatalf("chunked PUT by default = %d, want 411", code)
	}
}

func TestNextcloudWithUser(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t, davtest.WithUser("Bob Smith", "bob", "secret"))
	if n.UserID != "bob" || n.Password != "secret" || !strings.HasSuffix(n.DAVURL, "/remote.php/dav/files/bob/") {
		t.Fatalf("server = %+v", n)
	}
	code, _, body := do(t, "GET", n.BaseURL+"/ocs/v2.php/cloud/user?format=json", "Bob Smith", "secret", map[string]string{"OCS-APIRequest": "true"}, nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"id":"bob"`) {
		t.Fatalf("OCS as Bob = %d %s", code, body)
	}
}
