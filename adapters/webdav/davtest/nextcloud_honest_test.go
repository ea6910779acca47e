package davtest_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// These tests hold the Nextcloud imitation to what the real server does
// (docs/nextcloud-model.md names the source of each behaviour).

func TestNextcloudUploadFolderListsDotFile(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	n.MkdirAll(t, "d")
	folder := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/up-1"
	withDest := map[string]string{"Destination": n.DAVURL + "d/f.bin"}
	if code, _, b := nc(t, n, "MKCOL", folder, withDest, nil); code != http.StatusCreated {
		t.Fatalf("MKCOL: %d %s", code, b)
	}
	if code, _, b := nc(t, n, "PUT", folder+"/00001", withDest, []byte("abc")); code != http.StatusCreated {
		t.Fatalf("PUT chunk: %d %s", code, b)
	}
	code, _, body := nc(t, n, "PROPFIND", folder, map[string]string{"Depth": "1"}, nil)
	hrefs := regexp.MustCompile(`<d:href>([^<]*)</d:href>`).FindAllStringSubmatch(string(body), -1)
	if code != http.StatusMultiStatus || len(hrefs) != 3 || !strings.HasSuffix(hrefs[1][1], "/up-1/.file") || !strings.HasSuffix(hrefs[2][1], "/up-1/00001") {
		t.Fatalf("listing of an upload folder: %d %s, want the folder, .file and 00001", code, body)
	}
	// Deleting .file deletes the whole upload, as FutureFile::delete does.
	if code, _, b := nc(t, n, "DELETE", folder+"/.file", nil, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE .file: %d %s", code, b)
	}
	if got := n.UploadFolders(); len(got) != 0 {
		t.Fatalf("upload folders after DELETE of .file: %v, want none", got)
	}
}

func TestNextcloudRootQuotaCached(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	n := davtest.StartNextcloud(t, davtest.WithQuota(1000), davtest.WithClock(clock))
	n.MkdirAll(t, "sub")
	quota := func(u string) string {
		t.Helper()
		code, _, body := nc(t, n, "PROPFIND", u, map[string]string{"Depth": "0"},
			[]byte(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-available-bytes/></d:prop></d:propfind>`))
		m := regexp.MustCompile(`<d:quota-available-bytes>(-?\d+)<`).FindStringSubmatch(string(body))
		if code != http.StatusMultiStatus || m == nil {
			t.Fatalf("PROPFIND %s: %d %s", u, code, body)
		}
		return m[1]
	}
	if got := quota(n.DAVURL); got != "1000" {
		t.Fatalf("home folder's quota: %s, want 1000", got)
	}
	n.SetQuota(300)
	n.WriteFile(t, "sub/a", make([]byte, 100))
	if got := quota(n.DAVURL); got != "1000" {
		t.Fatalf("home folder's quota right after a change: %s, want the cached 1000", got)
	}
	if got := quota(n.DAVURL + "sub/"); got != "200" {
		t.Fatalf("subfolder's quota: %s, want the current 200", got)
	}
	mu.Lock()
	now = now.Add(5*time.Minute + time.Second)
	mu.Unlock()
	if got := quota(n.DAVURL); got != "200" {
		t.Fatalf("home folder's quota after 5 minutes: %s, want 200", got)
	}
	// Uploads are refused by the current quota whatever the cache says.
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"big", nil, make([]byte, 201)); code != http.StatusInsufficientStorage {
		t.Fatalf("PUT over the quota: %d, want 507", code)
	}
}

func TestNextcloudNamesInNFC(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	nfd, nfcName := "cafe\u0301.jpg", "caf\u00e9.jpg"
	if code, _, b := nc(t, n, "PUT", n.DAVURL+nfd, nil, []byte("x")); code != http.StatusCreated {
		t.Fatalf("PUT %q: %d %s", nfd, code, b)
	}
	if _, err := os.Stat(n.Dir + "/" + nfcName); err != nil {
		t.Fatalf("the file is not stored under its NFC name: %v", err)
	}
	code, _, body := nc(t, n, "PROPFIND", n.DAVURL, map[string]string{"Depth": "1"}, nil)
	if code != http.StatusMultiStatus || !strings.Contains(string(body), "caf%c3%a9.jpg") || strings.Contains(string(body), "cafe%cc%81") {
		t.Fatalf("listing: %d %s, want the NFC name only", code, body)
	}
	if code, _, b := nc(t, n, "GET", n.DAVURL+nfd, nil, nil); code != http.StatusOK || string(b) != "x" {
		t.Fatalf("GET by the NFD name: %d %q", code, b)
	}
}

func TestNextcloudXHash(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	data := []byte("hello, photos")
	s1, m5, s256 := sha1.Sum(data), md5.Sum(data), sha256.Sum256(data)
	for _, c := range []struct{ want, header, value string }{
		{"sha1", "X-Hash-SHA1", hex.EncodeToString(s1[:])},
		{"md5", "X-Hash-MD5", hex.EncodeToString(m5[:])},
		{"sha256", "X-Hash-SHA256", hex.EncodeToString(s256[:])},
	} {
		code, h, _ := nc(t, n, "PUT", n.DAVURL+"h.txt", map[string]string{"X-Hash": c.want}, data)
		if code >= 300 || h.Get(c.header) != c.value {
			t.Fatalf("PUT with X-Hash: %s: %d %s=%q, want %s", c.want, code, c.header, h.Get(c.header), c.value)
		}
	}
	if _, h, _ := nc(t, n, "PUT", n.DAVURL+"h.txt", nil, data); h.Get("X-Hash-SHA1") != "" {
		t.Fatalf("PUT without X-Hash answered X-Hash-SHA1 %q", h.Get("X-Hash-SHA1"))
	}
	// The assembling MOVE of a chunked upload is File::put of the
	// assembled stream: it answers X-Hash too, from the assembled bytes.
	big := bytes.Repeat([]byte("z"), 5<<20)
	whole := append(append([]byte(nil), big...), "tail"...)
	sum := sha1.Sum(whole)
	for _, objectStore := range []bool{false, true} {
		var opts []davtest.NextcloudOption
		if objectStore {
			opts = append(opts, davtest.WithObjectStore())
		}
		n := davtest.StartNextcloud(t, opts...)
		folder := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/x"
		dest := map[string]string{"Destination": n.DAVURL + "v.bin"}
		nc(t, n, "MKCOL", folder, dest, nil)
		nc(t, n, "PUT", folder+"/00001", dest, big)
		nc(t, n, "PUT", folder+"/00002", dest, []byte("tail"))
		code, h, b := nc(t, n, "MOVE", folder+"/.file", map[string]string{"Destination": n.DAVURL + "v.bin", "X-Hash": "sha1"}, nil)
		want := hex.EncodeToString(sum[:])
		if objectStore {
			want = ""
		}
		if code != http.StatusCreated || h.Get("X-Hash-SHA1") != want {
			t.Fatalf("MOVE .file (object store %v): %d X-Hash-SHA1 %q, want %q: %s", objectStore, code, h.Get("X-Hash-SHA1"), want, b)
		}
	}
}

func TestNextcloudMtimeRules(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	code, h, _ := nc(t, n, "PUT", n.DAVURL+"a.jpg", map[string]string{"X-OC-Mtime": "1700000000.75"}, []byte("a"))
	if code != http.StatusCreated || h.Get("X-OC-MTime") != "accepted" {
		t.Fatalf("PUT with a fractional mtime: %d %v", code, h)
	}
	fi, err := os.Stat(n.Dir + "/a.jpg")
	if err != nil || !fi.ModTime().Equal(time.Unix(1700000000, 0)) {
		t.Fatalf("stored mtime %v (%v), want 1700000000 to the second", fi.ModTime(), err)
	}
	// A time of a day after the epoch or less is refused, after the file
	// was written: the new content is there, with the time of the upload.
	for _, v := range []string{"86400", "0", "-5", "0x1000000"} {
		code, _, body := nc(t, n, "PUT", n.DAVURL+"b.jpg", map[string]string{"X-OC-Mtime": v}, []byte("b"+v))
		if code != http.StatusBadRequest || !strings.Contains(string(body), "X-OC-MTime header must be") {
			t.Fatalf("PUT with X-OC-Mtime %s: %d %s, want 400", v, code, body)
		}
		if got := n.ReadFile(t, "b.jpg"); string(got) != "b"+v {
			t.Fatalf("after the refused time %s the file holds %q", v, got)
		}
	}
}

func TestNextcloudLongNames(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	ok := strings.Repeat("a", davtest.MaxUploadNameBytes-4) + ".jpg"
	tooLong := strings.Repeat("a", 240) + ".jpg" // 244 bytes: its part file's name is over 255
	overLimit := strings.Repeat("a", 256)
	if code, _, b := nc(t, n, "PUT", n.DAVURL+ok, nil, []byte("x")); code != http.StatusCreated {
		t.Fatalf("PUT of a %d-byte name: %d %s", len(ok), code, b)
	}
	if code, _, b := nc(t, n, "PUT", n.DAVURL+tooLong, nil, []byte("x")); code != http.StatusInternalServerError {
		t.Fatalf("PUT of a %d-byte name: %d %s, want 500", len(tooLong), code, b)
	}
	if code, _, b := nc(t, n, "PUT", n.DAVURL+overLimit, nil, []byte("x")); code != http.StatusBadRequest {
		t.Fatalf("PUT of a %d-byte name: %d %s, want 400", len(overLimit), code, b)
	}
	// A folder has no part file: up to 255 bytes.
	if code, _, b := nc(t, n, "MKCOL", n.DAVURL+tooLong, nil, nil); code != http.StatusCreated {
		t.Fatalf("MKCOL of a %d-byte name: %d %s", len(tooLong), code, b)
	}
}

func TestNextcloudSessionCookie(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	propfind := func(c *http.Client, user, pass string) int {
		t.Helper()
		req, _ := http.NewRequest("PROPFIND", n.DAVURL, nil)
		req.Header.Set("Depth", "0")
		req.SetBasicAuth(user, pass)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// Without cookies every request pays the password hash.
	for range 5 {
		if code := propfind(http.DefaultClient, n.LoginName, n.Password); code != http.StatusMultiStatus {
			t.Fatalf("PROPFIND: %d", code)
		}
	}
	if got := n.PasswordChecks(); got != 5 {
		t.Fatalf("password checks without cookies: %d, want 5", got)
	}
	// With them, twice (the session token is made once cookie_test came
	// back), then none.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	for range 10 {
		if code := propfind(c, n.LoginName, n.Password); code != http.StatusMultiStatus {
			t.Fatalf("PROPFIND: %d", code)
		}
	}
	if got := n.PasswordChecks() - 5; got != 2 {
		t.Fatalf("password checks of 10 requests keeping cookies: %d, want 2", got)
	}
	// A wrong password is still refused without a session.
	if code := propfind(http.DefaultClient, n.LoginName, "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", code)
	}
}

func TestNextcloudAppPasswordCosts(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	app := grantAppPassword(t, n)
	before := n.PasswordChecks()
	for range 4 {
		if code, _, b := do(t, "PROPFIND", n.DAVURL, n.LoginName, app, map[string]string{"Depth": "0"}, nil); code != http.StatusMultiStatus {
			t.Fatalf("PROPFIND with the app password: %d %s", code, b)
		}
	}
	// The token is looked up by its SHA-512 each time; the password it
	// keeps is checked once in 5 minutes.
	if got := n.PasswordChecks() - before; got != 1 {
		t.Fatalf("password checks of 4 app password requests: %d, want 1", got)
	}
	if got := n.TokenChecks(); got < 4 {
		t.Fatalf("token look-ups: %d, want 4", got)
	}
}

// grantAppPassword runs a Login Flow v2 and answers the app password.
func grantAppPassword(t *testing.T, n *davtest.Nextcloud) string {
	t.Helper()
	code, _, body := do(t, "POST", n.BaseURL+"/index.php/login/v2", "", "", nil, nil)
	var start struct {
		Poll  struct{ Token, Endpoint string }
		Login string
	}
	if code != http.StatusOK || json.Unmarshal(body, &start) != nil {
		t.Fatalf("login flow: %d %s", code, body)
	}
	n.GrantLogin(t, start.Login)
	code, _, body = do(t, "POST", start.Poll.Endpoint, "", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, []byte("token="+start.Poll.Token))
	var got struct{ AppPassword string }
	if code != http.StatusOK || json.Unmarshal(body, &got) != nil || got.AppPassword == "" {
		t.Fatalf("poll: %d %s", code, body)
	}
	return got.AppPassword
}

func TestNextcloudBulkUpload(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	n.MkdirAll(t, "Photos")
	code, _, body := nc(t, n, "GET", n.BaseURL+"/ocs/v2.php/cloud/capabilities?format=json", map[string]string{"OCS-APIRequest": "true"}, nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"bulkupload":"1.0"`) {
		t.Fatalf("capabilities: %d %s", code, body)
	}
	type part struct {
		path, mtime string
		data        []byte
		md5         string
	}
	parts := []part{
		{path: "/Photos/a.jpg", mtime: "1700000000", data: []byte("aaa")},
		{path: "/Missing/b.jpg", data: []byte("bbb")},
		{path: "/Photos/c.jpg", mtime: "12", data: []byte("ccc")},
		{path: "/Photos/d.jpg", data: []byte("ddd")},
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		sum := md5.Sum(p.data)
		h := textproto.MIMEHeader{}
		h.Set("X-File-Path", p.path)
		h.Set("X-File-MD5", hex.EncodeToString(sum[:]))
		h.Set("Content-Length", fmt.Sprint(len(p.data)))
		if p.mtime != "" {
			h.Set("X-File-Mtime", p.mtime)
		}
		w, _ := mw.CreatePart(h)
		w.Write(p.data)
	}
	mw.Close()
	code, _, body = nc(t, n, "POST", n.BaseURL+"/remote.php/dav/bulk",
		map[string]string{"Content-Type": "multipart/related; boundary=" + mw.Boundary()}, buf.Bytes())
	var res map[string]struct {
		Error   bool
		Message string
		ETag    string
		FileID  string
	}
	if code != http.StatusOK || json.Unmarshal(body, &res) != nil {
		t.Fatalf("bulk upload: %d %s", code, body)
	}
	if r := res["/Photos/a.jpg"]; r.Error || r.ETag == "" || r.FileID == "" || n.ETag(t, "Photos/a.jpg") != r.ETag {
		t.Fatalf("a.jpg: %+v (server ETag %s)", r, n.ETag(t, "Photos/a.jpg"))
	}
	if r := res["/Missing/b.jpg"]; !r.Error || r.Message == "" {
		t.Fatalf("b.jpg into a missing folder: %+v, want an error", r)
	}
	if r := res["/Photos/c.jpg"]; !r.Error || !strings.Contains(r.Message, "X-OC-MTime") {
		t.Fatalf("c.jpg with a bad time: %+v, want an error", r)
	}
	if r := res["/Photos/d.jpg"]; r.Error || string(n.ReadFile(t, "Photos/d.jpg")) != "ddd" {
		t.Fatalf("d.jpg: %+v", r)
	}
	// A part whose MD5 does not match ends the request with 400.
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("X-File-Path", "/Photos/e.jpg")
	h.Set("X-File-MD5", strings.Repeat("0", 32))
	h.Set("Content-Length", "3")
	w, _ := mw.CreatePart(h)
	w.Write([]byte("eee"))
	mw.Close()
	code, _, body = nc(t, n, "POST", n.BaseURL+"/remote.php/dav/bulk",
		map[string]string{"Content-Type": "multipart/related; boundary=" + mw.Boundary()}, buf.Bytes())
	if code != http.StatusBadRequest {
		t.Fatalf("bulk upload with a bad MD5: %d %s, want 400", code, body)
	}
	// Without bulk upload: no capability, and Sabre's 501.
	n2 := davtest.StartNextcloud(t, davtest.WithoutBulkUpload())
	if code, _, body := nc(t, n2, "GET", n2.BaseURL+"/ocs/v2.php/cloud/capabilities?format=json", map[string]string{"OCS-APIRequest": "true"}, nil); strings.Contains(string(body), "bulkupload") {
		t.Fatalf("capabilities without bulk upload: %d %s", code, body)
	}
}

// TestNextcloudPOSTWithSessionPaysThePassword: a POST signed in by the
// session cookie fails the CSRF check and is signed in again with the
// password, unless it comes from Nextcloud's desktop client.
func TestNextcloudPOSTWithSessionPaysThePassword(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	send := func(method, url, ua string) int {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		req.SetBasicAuth(n.LoginName, n.Password)
		if ua != "" {
			req.Header.Set("User-Agent", ua)
		}
		if method == "PROPFIND" {
			req.Header.Set("Depth", "0")
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "multipart/related; boundary=x")
			req.Body = io.NopCloser(strings.NewReader("--x--\r\n"))
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for range 3 {
		send("PROPFIND", n.DAVURL, "")
	}
	base := n.PasswordChecks() // 2: the session token is made at the second
	bulk := n.BaseURL + "/remote.php/dav/bulk"
	for range 3 {
		if code := send(http.MethodPost, bulk, ""); code != http.StatusOK {
			t.Fatalf("bulk POST: %d", code)
		}
	}
	if got := n.PasswordChecks() - base; got != 3 {
		t.Fatalf("3 POSTs with the session cookie cost %d password checks, want 3", got)
	}
	base = n.PasswordChecks()
	for range 3 {
		send(http.MethodPost, bulk, "Mozilla/5.0 (Linux) mirall/3.7.3")
	}
	if got := n.PasswordChecks() - base; got != 0 {
		t.Fatalf("3 POSTs of the desktop client cost %d password checks, want 0", got)
	}
	// With the session's CSRF token (GET index.php/csrftoken, encrypted
	// anew each time) a POST keeps the session and pays nothing; a wrong
	// token logs the session out, and the login makes a new one.
	token := func() string {
		res, err := c.Get(n.BaseURL + "/index.php/csrftoken")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v struct{ Token string }
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != http.StatusOK || v.Token == "" {
			t.Fatalf("csrftoken: %d %v %q", res.StatusCode, err, v.Token)
		}
		return v.Token
	}
	tok1, tok2 := token(), token()
	if tok1 == tok2 {
		t.Fatalf("the token is not encrypted anew: %q twice", tok1)
	}
	postWith := func(tok string) (int, []*http.Cookie) {
		req, _ := http.NewRequest(http.MethodPost, bulk, strings.NewReader("--x--\r\n"))
		req.SetBasicAuth(n.LoginName, n.Password)
		req.Header.Set("Content-Type", "multipart/related; boundary=x")
		req.Header.Set("requesttoken", tok)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode, res.Cookies()
	}
	base = n.PasswordChecks()
	for _, tok := range []string{tok1, tok2, token()} {
		if code, set := postWith(tok); code != http.StatusOK || len(set) != 0 {
			t.Fatalf("bulk POST with the CSRF token: %d, cookies set %v", code, set)
		}
	}
	if got := n.PasswordChecks() - base; got != 0 {
		t.Fatalf("3 POSTs with the CSRF token cost %d password checks, want 0", got)
	}
	if code, set := postWith("AAAA:AAAA"); code != http.StatusOK || len(set) == 0 || n.PasswordChecks()-base != 1 {
		t.Fatalf("bulk POST with a wrong token: %d, cookies set %v, %d password checks; want a new session for one check", code, set, n.PasswordChecks()-base)
	}
}
