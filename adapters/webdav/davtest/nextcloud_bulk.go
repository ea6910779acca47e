package davtest

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// This file imitates Nextcloud's bulk upload (apps/dav BulkUploadPlugin
// and MultipartRequestParser, Nextcloud 23 and later), advertised as
// "bulkupload": "1.0" in the dav capabilities:
//
//   - POST <base>/remote.php/dav/bulk, Content-Type: multipart/related;
//     boundary=...; each part has X-File-Path (the path in the user's
//     files), Content-Length, X-File-MD5 (the part's MD5, hex) and
//     optionally X-File-Mtime or X-OC-Mtime;
//   - the answer is 200 with a JSON object by path: {"error": false,
//     "etag", "fileid", "permissions"} for a file written, {"error": true,
//     "message"} for a file that was not (a missing folder, no space, an
//     invalid name or time): one file's failure is that file's alone;
//   - a part that cannot be parsed (no boundary where one should be, a
//     missing header, an MD5 that does not match the bytes) ends the
//     request with 400 and the answers of the files written before it;
//   - each file is written directly (Folder::newFile, no part file) and
//     its time set afterwards.
//
// WithoutBulkUpload leaves the endpoint and the capability out, as on
// servers before 23 or with bulk upload switched off.

// WithoutBulkUpload imitates a server without bulk upload: no
// capability, and POST /remote.php/dav/bulk is not handled (Sabre's 501).
func WithoutBulkUpload() NextcloudOption {
	return func(c *nextcloudConfig) { c.noBulk = true }
}

// WithBulkStoring imitates a server with something between the bulk
// upload and the disk (a storage wrapper, an antivirus app, a failing
// disk): store is given a file's path (as sent in X-File-Path) and the
// bytes received, whose MD5 was checked, and returns the bytes to write
// (other bytes than received are written, and answered as a success), or
// an error, which fails that file alone with the error's message, as an
// exception thrown while writing one file does.
func WithBulkStoring(store func(path string, content []byte) ([]byte, error)) NextcloudOption {
	return func(c *nextcloudConfig) { c.bulkStore = store }
}

// WithObjectStore imitates a server whose primary storage is an object
// store: a chunked upload is assembled by the store's own multipart
// upload, and the final MOVE answers no X-Hash-* header.
func WithObjectStore() NextcloudOption {
	return func(c *nextcloudConfig) { c.objectStore = true }
}

// bulkRoutes adds the bulk upload endpoint and the capabilities.
func (n *Nextcloud) bulkRoutes(mux *http.ServeMux) {
	b := n.cfg.basePath
	mux.Handle(b+"/ocs/v1.php/cloud/capabilities", n.handleOCS(1, n.ocsCapabilities))
	mux.Handle(b+"/ocs/v2.php/cloud/capabilities", n.handleOCS(2, n.ocsCapabilities))
	if n.cfg.noBulk {
		return
	}
	mux.Handle(b+"/remote.php/dav/bulk", n.requireDAVAuth(http.HandlerFunc(n.handleBulk)))
}

// ocsCapabilities answers the server's version and the capabilities a
// sync client reads.
func (n *Nextcloud) ocsCapabilities(_ *http.Request, _ string) (any, int, string) {
	parts := strings.SplitN(n.cfg.version, ".", 4)
	num := func(i int) int {
		if i < len(parts) {
			v, _ := strconv.Atoi(parts[i])
			return v
		}
		return 0
	}
	dav := ocsObject{{"chunking", "1.0"}, {"public_shares_chunking", true}}
	if !n.cfg.noBulk {
		dav = append(dav, ocsField{"bulkupload", "1.0"})
	}
	return ocsObject{
		{"version", ocsObject{{"major", num(0)}, {"minor", num(1)}, {"micro", num(2)},
			{"string", n.cfg.release}, {"edition", ""}, {"extendedSupport", false}}},
		{"capabilities", ocsObject{
			{"core", ocsObject{{"pollinterval", 60}, {"webdav-root", "remote.php/webdav"}}},
			{"dav", dav},
			{"files", ocsObject{{"bigfilechunking", true}, {"blacklisted_files", []any{".htaccess"}}}},
		}},
	}, ocsOK, ""
}

// bulkResult is one file's answer.
type bulkResult map[string]any

// handleBulk writes the files of a bulk upload.
func (n *Nextcloud) handleBulk(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		notImplemented(r.Method).write(w)
		return
	}
	written := map[string]bulkResult{}
	order := []string{}
	answer := func(status int) {
		var buf bytes.Buffer
		buf.WriteByte('{')
		for i, p := range order {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(p)
			v, _ := json.Marshal(written[p])
			buf.Write(k)
			buf.WriteByte(':')
			buf.Write(v)
		}
		buf.WriteByte('}')
		if len(order) == 0 {
			buf.Reset()
			buf.WriteString("[]") // PHP's json_encode of an empty array
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(status)
		_, _ = w.Write(buf.Bytes())
	}
	boundary, err := bulkBoundary(r.Header.Get("Content-Type"))
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", err.Error()).write(w)
		return
	}
	br := bufio.NewReader(r.Body)
	sep, last := "--"+boundary+"\r\n", "--"+boundary+"--\r\n"
	for {
		head, err := br.Peek(len(last))
		if err == nil && string(head) == last {
			break
		}
		p, perr := readBulkPart(br, sep)
		if perr != nil {
			answer(http.StatusBadRequest)
			return
		}
		res := n.bulkWrite(p)
		if _, seen := written[p.path]; !seen {
			order = append(order, p.path)
		}
		written[p.path] = res
	}
	answer(http.StatusOK)
}

// bulkBoundary reads the boundary of a multipart/related body.
func bulkBoundary(ct string) (string, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || params["boundary"] == "" {
		return "", errors.New("Error while parsing boundary in Content-Type header.")
	}
	if mt != "multipart/related" {
		return "", errors.New("Content-Type must be multipart/related")
	}
	return params["boundary"], nil
}

// bulkPart is one parsed part.
type bulkPart struct {
	path    string
	mtime   string
	content []byte
}

// readBulkPart reads the boundary, the headers and the content of a part,
// checking its MD5.
func readBulkPart(br *bufio.Reader, sep string) (bulkPart, error) {
	var p bulkPart
	b := make([]byte, len(sep))
	if _, err := io.ReadFull(br, b); err != nil || string(b) != sep {
		return p, errors.New("Boundary not found where it should be.")
	}
	headers := map[string]string{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return p, errors.New("An error occurred while reading headers of a part")
		}
		if line == "\r\n" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return p, errors.New("An error occurred while reading headers of a part")
		}
		headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	n, err := strconv.Atoi(headers["content-length"])
	if headers["content-length"] == "" || err != nil || n < 0 {
		return p, errors.New("The Content-Length header must not be null.")
	}
	sum, ok := headers["x-file-md5"]
	if !ok {
		return p, errors.New("The X-File-MD5 header must not be null.")
	}
	p.content = make([]byte, n)
	if _, err := io.ReadFull(br, p.content); err != nil {
		return p, errors.New("Unexpected EOF while reading stream.")
	}
	got := md5.Sum(p.content)
	if hex.EncodeToString(got[:]) != sum {
		return p, errors.New("Computed md5 hash is incorrect.")
	}
	crlf := make([]byte, 2)
	_, _ = io.ReadFull(br, crlf)
	p.path = headers["x-file-path"]
	p.mtime = headers["x-file-mtime"]
	if p.mtime == "" {
		p.mtime = headers["x-oc-mtime"]
	}
	return p, nil
}

// bulkWrite writes one part's file and answers its result.
func (n *Nextcloud) bulkWrite(p bulkPart) bulkResult {
	fail := func(msg string) bulkResult { return bulkResult{"error": true, "message": msg} }
	var mtime int64 = -1
	if p.mtime != "" {
		t, derr := sanitizeMtime(p.mtime)
		if derr != nil {
			return fail(derr.message)
		}
		mtime = t.Unix()
	}
	rel := cleanRel(p.path)
	if rel == "" {
		return fail("Could not create as provided path is empty")
	}
	if derr := nameAllowed(rel); derr != nil {
		return fail(derr.message)
	}
	full := "/" + n.UserID + "/files/" + rel
	if derr := n.fits(rel, int64(len(p.content))); derr != nil {
		return fail(`Could not create path "` + full + `"`)
	}
	tmp, err := os.CreateTemp(n.staging, "bulk-*")
	if err != nil {
		return fail(err.Error())
	}
	defer os.Remove(tmp.Name())
	content := p.content
	if n.cfg.bulkStore != nil {
		if content, err = n.cfg.bulkStore(p.path, content); err != nil {
			_ = tmp.Close()
			return fail(err.Error())
		}
	}
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err.Error())
	}
	_ = os.Chmod(tmp.Name(), 0o644)
	n.files.tree.Lock()
	defer n.files.tree.Unlock()
	if fi, err := os.Stat(n.files.abs(path.Dir("/" + rel))); err != nil || !fi.IsDir() {
		return fail(`Could not create path "` + full + `"`)
	}
	if fi, err := os.Stat(n.files.abs(rel)); err == nil && fi.IsDir() {
		return fail(`Could not create path "` + full + `"`)
	}
	if err := os.Rename(tmp.Name(), n.files.abs(rel)); err != nil {
		return fail(`Could not create path "` + full + `"`)
	}
	if mtime >= 0 {
		m := timeUnix(mtime)
		_ = os.Chtimes(n.files.abs(rel), m, m)
	}
	n.files.changed(rel)
	n.files.setChecksum(rel, "")
	e, err := n.files.stat(rel)
	if err != nil {
		return fail(err.Error())
	}
	return bulkResult{"error": false, "etag": e.etag, "fileid": n.files.ocID(e.id), "permissions": "RGDNVW"}
}
