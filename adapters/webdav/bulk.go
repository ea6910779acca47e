package webdav

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// This file sends small files to Nextcloud with its bulk upload (apps/dav
// BulkUploadPlugin, Nextcloud 23 and later, advertised as
// dav.bulkupload "1.0" in the capabilities): one POST
// <base>/remote.php/dav/bulk, multipart/related, a part per file with
// X-File-Path, Content-Length, X-File-MD5 (the server checks it against
// the bytes it read) and X-File-Mtime; the answer is a JSON object by path,
// each file with its own result. See docs/nextcloud-model.md.
//
// Bulk upload is used only with Options.BulkUpload (photosync's default),
// where the server advertises it. Each file answered stored was checked by
// the server: it refuses the request at a part whose bytes do not have the
// MD5 sent with them (BulkResult.Checked), the same evidence of what it
// wrote as the X-Hash-SHA1 a PUT is answered with. Measured against PUTs
// that keep the session (the bench's "Nextcloud with costs", a bulk
// request's files charged one by one as Nextcloud writes them in one PHP
// worker), it is faster with either kind of password. Nextcloud's own
// desktop client switched it off in places because proxies and some
// servers mishandle it, so at the first sign of trouble (no endpoint, a
// refused or failed request, an answer that cannot be read) the client
// stops using it and leaves the files to PUT. The POST keeps the session
// with its CSRF token (bulk_csrf.go), or, without one, is sent without the
// session cookie and pays a password check with the login password.

// maxBulkBytes bounds the files of one bulk request, which is sent from
// memory with its length (PHP-FPM drops a body sent without one).
const maxBulkBytes = 16 << 20

// BulkFile is one small file for SendBulk and UploadBulk.
type BulkFile = ports.BulkFile

// BulkResult is the outcome of one file of SendBulk and UploadBulk. Its
// Proof is "" for a file sent by bulk upload, which the server answers
// with no hash; Checked tells it checked our MD5 against the bytes it read
// and wrote (see ports.BulkResult).
type BulkResult = ports.BulkResult

var _ ports.BulkUploader = (*Client)(nil)

// bulkState is what a client knows of the server's bulk upload.
type bulkState struct {
	mu      sync.Mutex
	checked bool
	usable  bool
}

// UploadBulk stores small files, in bulk requests where the server has
// them and Options.BulkUpload allows them (SendBulk), otherwise (or for
// the files the bulk requests did not store) one UploadProven each. Each file gets its own result: one file's failure is
// that file's alone.
func (c *Client) UploadBulk(ctx context.Context, files []BulkFile) []BulkResult {
	res := c.SendBulk(ctx, files)
	for i, f := range files {
		if !res[i].NotSent {
			continue
		}
		proof, err := c.UploadProven(ctx, f.Path, bytes.NewReader(f.Data), int64(len(f.Data)), f.Meta)
		res[i] = BulkResult{Proof: proof, Err: err}
	}
	return res
}

// SendBulk stores small files in bulk requests only; see
// ports.BulkUploader. The files it did not send (bulk upload unusable or
// given up, a file over maxBulkBytes) are NotSent.
func (c *Client) SendBulk(ctx context.Context, files []BulkFile) []BulkResult {
	res := make([]BulkResult, len(files))
	done := make([]bool, len(files))
	if c.bulkUsable(ctx) {
		c.bulk(ctx, files, res, done)
	}
	for i := range files {
		if !done[i] {
			res[i] = BulkResult{NotSent: true}
		}
	}
	return res
}

// BulkUsable reports whether SendBulk would send bulk requests now.
func (c *Client) BulkUsable(ctx context.Context) bool { return c.bulkUsable(ctx) }

// bulkURL returns <base>/remote.php/dav/bulk and the prefix of the
// X-File-Path of the endpoint's files (the endpoint's folder below the
// user's home), for a Nextcloud endpoint below remote.php/dav/files/.
func (c *Client) bulkURL() (*url.URL, string, bool) {
	up, ok := c.uploadsURL()
	if !ok {
		return nil, "", false
	}
	const files = "/remote.php/dav/files/"
	ep := c.endpoint.Path
	i := strings.Index(ep, files)
	_, rest, _ := strings.Cut(ep[i+len(files):], "/")
	u := *up
	base := up.Path[:strings.Index(up.Path, "/remote.php/dav/uploads/")]
	u.Path, u.RawPath = base+"/remote.php/dav/bulk", ""
	return &u, "/" + strings.Trim(rest, "/"), true
}

// bulkUsable reports whether bulk requests may be sent: not forbidden by
// the options, a Nextcloud endpoint, the capability advertised, and no
// trouble seen yet.
func (c *Client) bulkUsable(ctx context.Context) bool {
	if !c.opts.BulkUpload || !c.isNextcloud() {
		return false
	}
	if _, _, ok := c.bulkURL(); !ok {
		return false
	}
	c.bulkState.mu.Lock()
	defer c.bulkState.mu.Unlock()
	if !c.bulkState.checked {
		c.bulkState.checked, c.bulkState.usable = true, c.bulkCapability(ctx)
	}
	return c.bulkState.usable
}

// stopBulk gives bulk upload up for this client after trouble.
func (c *Client) stopBulk(ctx context.Context, why string) {
	c.bulkState.mu.Lock()
	c.bulkState.checked, c.bulkState.usable = true, false
	c.bulkState.mu.Unlock()
	c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: bulk upload given up; sending files one by one", slog.String("why", why))
}

// bulkCapability asks the server's capabilities whether it has bulk upload.
func (c *Client) bulkCapability(ctx context.Context) bool {
	u, _, _ := c.bulkURL()
	cu := *u
	cu.Path = strings.TrimSuffix(u.Path, "/remote.php/dav/bulk") + "/ocs/v2.php/cloud/capabilities"
	cu.RawQuery = "format=json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cu.String(), nil)
	if err != nil {
		return false
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("OCS-APIRequest", "true")
	req.Header.Set("Accept", "application/json")
	hc, _ := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var caps struct {
		OCS struct {
			Data struct {
				Capabilities struct {
					DAV struct {
						BulkUpload string `json:"bulkupload"`
					} `json:"dav"`
				} `json:"capabilities"`
			} `json:"data"`
		} `json:"ocs"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&caps) != nil {
		return false
	}
	return caps.OCS.Data.Capabilities.DAV.BulkUpload == "1.0"
}

// bulk sends the files that fit in bulk requests, setting the results of
// the files the server answered for (done); the others are left to PUT.
func (c *Client) bulk(ctx context.Context, files []BulkFile, res []BulkResult, done []bool) {
	for start := 0; start < len(files); {
		var batch []int
		var size int64
		for i := start; i < len(files); i++ {
			n := int64(len(files[i].Data))
			if n > maxBulkBytes {
				continue // left to PUT
			}
			if size+n > maxBulkBytes && len(batch) > 0 {
				break
			}
			batch, size = append(batch, i), size+n
		}
		if len(batch) == 0 {
			return
		}
		start = batch[len(batch)-1] + 1
		if !c.bulkOnce(ctx, files, batch, res, done) {
			return
		}
	}
}

// bulkOnce sends the files of batch in one request. It reports false when
// bulk upload was given up.
func (c *Client) bulkOnce(ctx context.Context, files []BulkFile, batch []int, res []BulkResult, done []bool) bool {
	u, prefix, _ := c.bulkURL()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	paths := map[string]int{}
	for _, i := range batch {
		f := files[i]
		p, err := domain.CleanRemotePath(f.Path)
		if err != nil {
			res[i], done[i] = BulkResult{Err: err}, true
			continue
		}
		xp := strings.TrimSuffix(prefix, "/") + p
		sum := md5.Sum(f.Data)
		h := textproto.MIMEHeader{}
		h.Set("X-File-Path", xp)
		h.Set("X-File-MD5", hex.EncodeToString(sum[:]))
		h.Set("Content-Length", strconv.Itoa(len(f.Data)))
		if sendsMtime(f.Meta.ModTime) {
			h.Set("X-File-Mtime", strconv.FormatInt(f.Meta.ModTime.Unix(), 10))
		}
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.Data)
		paths[xp] = i
	}
	_ = mw.Close()
	if len(paths) == 0 {
		return true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body.Bytes()))
	if err != nil {
		return false
	}
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", "multipart/related; boundary="+mw.Boundary())
	req.SetBasicAuth(c.user, c.pass)
	// With the session's CSRF token the POST keeps the session (see
	// bulk_csrf.go). Without one it goes without the session's cookie: a
	// POST signed in by the cookie alone fails Nextcloud's CSRF check,
	// which logs the session out (every request in flight on it would pay
	// a password check); signed in by its credentials alone it pays its
	// own check and leaves the session alone, and the session cookie it is
	// given is not kept.
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, logger: c.logger, idle: c.timeout}
	var sent []*http.Cookie
	if tok := c.requestToken(ctx); tok != "" {
		req.Header.Set("requesttoken", tok)
		x.jar, sent = c.jar, c.jar.cookies(u)
	}
	hc := &http.Client{Transport: x, CheckRedirect: noRedirect}
	resp, err := hc.Do(req)
	if err == nil && len(sent) > 0 && sessionRenewed(sent, resp) {
		c.tokenFailed(ctx)
	}
	if err != nil {
		if ctx.Err() == nil {
			c.stopBulk(ctx, errors.Join(x.err, err).Error())
		}
		return false
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	t := c.target("upload", "a bulk of files")
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		err := t.statusError(http.MethodPost, u.Redacted(), resp.StatusCode, resp.Header)
		for _, i := range paths {
			res[i], done[i] = BulkResult{Err: err}, true
		}
		return false
	case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest, rerr != nil:
		c.stopBulk(ctx, fmt.Sprintf("POST %s answered %s", u.Redacted(), statusText(resp.StatusCode)))
		return false
	}
	var answers map[string]struct {
		Error   bool   `json:"error"`
		Message string `json:"message"`
		ETag    string `json:"etag"`
		FileID  string `json:"fileid"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		answers = nil // PHP's json_encode of an empty array: nothing written
	} else if err := json.Unmarshal(raw, &answers); err != nil {
		c.stopBulk(ctx, "its answer is not the JSON object of bulk upload")
		return false
	}
	for xp, i := range paths {
		a, ok := answers[xp]
		switch {
		case !ok:
			// Not written (the request stopped before it): left to PUT.
		case a.Error:
			res[i], done[i] = BulkResult{Err: &domain.Error{Code: domain.EINVALID, Remote: true,
				Message: fmt.Sprintf("the server refused to store %s: %s", files[i].Path, a.Message)}}, true
		default:
			// Answered stored: the server checked our MD5 against the
			// bytes it read before writing them (MultipartRequestParser).
			res[i], done[i] = BulkResult{ETag: a.ETag, FileID: a.FileID, Checked: true}, true
		}
	}
	if resp.StatusCode == http.StatusBadRequest {
		c.stopBulk(ctx, "the server could not read a bulk request (400)")
		return false
	}
	return true
}
