package webdav

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/studio-b12/gowebdav"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.RemoteStorage = (*Client)(nil)

// davOrigin is the placeholder origin of gowebdav's root URL. gowebdav
// escapes its whole URL segment by segment, which would break an IPv6 host
// ("[::1]:8080"), so it gets a plain placeholder and the exchange sends every
// request to the real origin.
const davOrigin = "http://webdav.invalid"

// Client is one account's files on a WebDAV server. It is safe for
// concurrent use: every operation makes its own cheap gowebdav client over
// a transport shared with the other operations.
type Client struct {
	endpoint  *url.URL // ends in "/"
	typ       domain.AccountType
	user      string
	pass      string
	timeout   time.Duration
	transport http.RoundTripper
	logger    *slog.Logger
}

// Stat returns one file or folder. ENOTFOUND when there is none.
func (c *Client) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return domain.RemoteFile{}, err
	}
	return c.stat(ctx, p, c.target("stat", p))
}

func (c *Client) stat(ctx context.Context, p string, t target) (domain.RemoteFile, error) {
	dav, x := c.dav(ctx)
	fi, err := dav.Stat(p)
	if status := gowebdavStatus(err); status >= 300 && status < 400 && p != "/" {
		// Some servers (Apache) redirect a folder's path without its
		// trailing slash to the path with it.
		dav, x = c.dav(ctx)
		fi, err = dav.Stat(p + "/")
	}
	if err = c.check(ctx, x, t, "PROPFIND", p, err); err != nil {
		return domain.RemoteFile{}, err
	}
	f, ok := fi.(*gowebdav.File)
	if !ok || f == nil {
		return domain.RemoteFile{}, t.notWebDAV("207 without the properties of "+p, nil)
	}
	return remoteFile(p, f), nil
}

// List returns the entries of one folder: never the folder itself, never
// deeper levels. ENOTFOUND when there is no such folder, EINVALID when dir
// is a file.
//
// Entries whose names could not be a file name ("", ".", "..", or with a
// slash, a backslash or a control character) are left out and logged, so a
// hostile server cannot make a caller write outside a folder. gowebdav
// takes the first entry of the answer for the folder itself, as every
// server tried does (Nextcloud, Apache, rclone, x/net/webdav).
func (c *Client) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return nil, err
	}
	t := c.target("list", dir)
	dav, x := c.dav(ctx)
	infos, err := dav.ReadDir(dir)
	switch gowebdavStatus(err) {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusMethodNotAllowed:
		// A file asked for as a folder ("/a.jpg/") is answered 400 (Apache),
		// 404 or 409, and gowebdav says 405 when the answer's first entry is
		// not a folder (x/net/webdav, rclone). Tell a file from a missing
		// path.
		if f, serr := c.stat(ctx, dir, t); serr != nil {
			return nil, serr
		} else if !f.IsDir {
			return nil, &domain.Error{Code: domain.EINVALID, Message: dir + " is a file, not a folder", Remote: true, Err: err}
		}
	}
	if err = c.check(ctx, x, t, "PROPFIND", dir, err); err != nil {
		return nil, err
	}
	files := make([]domain.RemoteFile, 0, len(infos))
	seen := make(map[string]bool, len(infos))
	for _, fi := range infos {
		f, ok := fi.(gowebdav.File)
		if !ok {
			continue
		}
		name := f.Name()
		if !validName(name) || seen[name] {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: skipping a listing entry with an unusable or repeated name",
				slog.String("folder", dir), slog.String("name", strconv.Quote(name)))
			continue
		}
		seen[name] = true
		files = append(files, remoteFile(domain.JoinRemotePath(dir, name), &f))
	}
	return files, nil
}

// MkdirAll creates a folder and its missing parents; an existing folder is
// no error. ECONFLICT when dir is a file; when one of its parents is, the
// error depends on the server (ECONFLICT, or EINVALID for a server that
// refuses to look below a file).
func (c *Client) MkdirAll(ctx context.Context, dir string) error {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return err
	}
	t := c.target("create folder", dir)
	// gowebdav takes "405 Method Not Allowed" for "already there", which a
	// file answers too: look first. Most calls find the folder there.
	f, err := c.stat(ctx, dir, t)
	switch {
	case err == nil && f.IsDir:
		return nil
	case err == nil:
		return &domain.Error{Code: domain.ECONFLICT, Message: dir + " is a file, not a folder", Remote: true}
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return err
	}
	dav, x := c.dav(ctx)
	err = dav.MkdirAll(dir, 0)
	if s := gowebdavStatus(err); s == http.StatusConflict || s == http.StatusMethodNotAllowed {
		return &domain.Error{Code: domain.ECONFLICT, Message: "could not create " + dir + ": a file is in the way", Remote: true, Err: err}
	}
	if err := c.check(ctx, x, t, "MKCOL", dir, err); err != nil {
		return err
	}
	// gowebdav took any 405 for success: make sure the folder is there.
	switch f, err := c.stat(ctx, dir, t); {
	case err == nil && f.IsDir:
		return nil
	case err == nil || domain.ErrorCode(err) == domain.ENOTFOUND:
		return &domain.Error{Code: domain.ECONFLICT, Message: "could not create " + dir + ": a file is in the way", Remote: true, Err: err}
	default:
		return err
	}
}

// Upload stores size bytes read from body at p, replacing any file there.
// The parent folder must exist: ENOTFOUND when it does not. The request
// declares its length, so a server never stores a short body as complete;
// a body shorter or longer than size fails the upload. Nextcloud also gets
// the modification time (X-OC-Mtime) and the SHA-1 (OC-Checksum) from meta.
//
// The PUT is sent with net/http rather than gowebdav, which creates the
// parent folder before every upload and can neither send these headers nor
// declare a length without buffering.
func (c *Client) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return err
	}
	if p == "/" {
		return domain.Errorf(domain.EINVALID, "upload: the path names the account's folder, not a file")
	}
	if size > 0 && body == nil {
		return domain.Errorf(domain.EINVALID, "upload %s: no body for %d bytes", p, size)
	}
	if size < 0 {
		return domain.Errorf(domain.EINVALID, "upload %s: the size %d is negative", p, size)
	}
	t := c.target("upload", p)
	u := c.url(p)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), nil)
	if err != nil {
		return t.transportError(ctx, err)
	}
	req.ContentLength = size
	req.Body = http.NoBody // a length of 0 with another body would be sent chunked
	if size > 0 {
		req.Body = io.NopCloser(body) // the caller closes its own reader
	}
	if size >= 1<<20 {
		// Let the server refuse (wrong password, no space) before the body is
		// sent rather than after.
		req.Header.Set("Expect", "100-continue")
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.SetBasicAuth(c.user, c.pass)
	if c.typ == domain.TypeNextcloud {
		if !meta.ModTime.IsZero() {
			req.Header.Set("X-OC-Mtime", strconv.FormatInt(meta.ModTime.Unix(), 10))
		}
		if sum := sha1Checksum("SHA1:" + meta.SHA1); sum != "" {
			req.Header.Set("OC-Checksum", sum)
		}
	}
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		return nil
	case http.StatusConflict, http.StatusNotFound:
		// RFC 4918 answers 409 for a missing parent; some servers 404.
		parent := path.Dir(p)
		return &domain.Error{
			Code: domain.ENOTFOUND, Message: "the folder " + parent + " does not exist", Remote: true,
			Err: t.statusError(http.MethodPut, u.Redacted(), resp.StatusCode, resp.Header),
		}
	default:
		return t.statusError(http.MethodPut, u.Redacted(), resp.StatusCode, resp.Header)
	}
}

// Download opens a file for reading; the caller closes the reader, and
// keeps ctx alive while reading. The RemoteFile has the size the server
// declared (-1 when it did not), its modification time, ETag and, from
// Nextcloud, its SHA-1 checksum. ENOTFOUND when there is no such file.
// Reading fails with an error wrapping io.ErrUnexpectedEOF when the
// connection breaks before the declared size.
func (c *Client) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return nil, domain.RemoteFile{}, err
	}
	t := c.target("download", p)
	dav, x := c.dav(ctx)
	body, err := dav.ReadStream(p)
	if err = c.check(ctx, x, t, "GET", p, err); err != nil {
		return nil, domain.RemoteFile{}, err
	}
	f := domain.RemoteFile{Path: p, Name: path.Base(p), Size: x.last.ContentLength}
	h := x.header()
	if mt, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		f.ModTime = mt
	}
	f.ETag = h.Get("ETag")
	f.Checksum = sha1Checksum(h.Get("OC-Checksum"))
	return &downloadBody{rc: body, ctx: ctx, t: t}, f, nil
}

// Delete removes a file or a folder with its contents. ENOTFOUND when there
// is nothing at p; EINVALID for the account's root folder.
func (c *Client) Delete(ctx context.Context, p string) error {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return err
	}
	if p == "/" {
		return &domain.Error{Code: domain.EINVALID, Message: "refusing to delete the account's whole folder", Remote: true}
	}
	t := c.target("delete", p)
	dav, x := c.dav(ctx)
	err = dav.RemoveAll(p)
	// gowebdav answers any failure to send as a 400 and a 404 as success:
	// what the exchange saw is the truth.
	if x.err != nil || ctx.Err() != nil {
		return t.transportError(ctx, errors.Join(x.err, ctx.Err(), err))
	}
	if s := x.status(); s == http.StatusNotFound || (err != nil && s >= 300) {
		return t.statusError("DELETE", c.url(p).Redacted(), s, x.header())
	}
	return c.check(ctx, x, t, "DELETE", p, err)
}

// check translates the outcome of a gowebdav call. A call that gowebdav
// took for a success fails too when reading its answer failed: gowebdav
// stops parsing a broken or cut-off PROPFIND answer without an error.
func (c *Client) check(ctx context.Context, x *exchange, t target, method, p string, err error) error {
	if x.err != nil || ctx.Err() != nil {
		return t.transportError(ctx, errors.Join(x.err, ctx.Err(), err))
	}
	if err == nil {
		return nil
	}
	status := gowebdavStatus(err)
	if status == 0 {
		return t.transportError(ctx, err)
	}
	return t.statusError(method, c.url(p).Redacted(), status, x.header())
}

// dav returns a gowebdav client for one operation, with ctx on every
// request.
func (c *Client) dav(ctx context.Context) (*gowebdav.Client, *exchange) {
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, pin: true, logger: c.logger}
	d := gowebdav.NewAuthClient(davOrigin+c.endpoint.Path, gowebdav.NewPreemptiveAuth(&basicAuth{user: c.user, pass: c.pass}))
	d.SetTransport(x)
	return d, x
}

// http returns a net/http client for one operation, with ctx on every
// request, that only talks to the account's server.
func (c *Client) http(ctx context.Context, checkRedirect func(*http.Request, []*http.Request) error) (*http.Client, *exchange) {
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, logger: c.logger}
	return &http.Client{Transport: x, CheckRedirect: checkRedirect}, x
}

// url returns the URL of a clean remote path.
func (c *Client) url(p string) *url.URL {
	u := *c.endpoint
	rel := strings.TrimPrefix(p, "/")
	u.Path = c.endpoint.Path + rel
	u.RawPath = c.endpoint.EscapedPath() + escapePath(rel)
	return &u
}

func (c *Client) target(op, what string) target {
	return target{op: op, what: what, host: c.endpoint.Host, user: c.user, timeout: c.timeout}
}

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// remoteFile converts gowebdav's view of an entry.
func remoteFile(p string, f *gowebdav.File) domain.RemoteFile {
	rf := domain.RemoteFile{Path: p, Name: path.Base(p), IsDir: f.IsDir(), ETag: f.ETag()}
	if p == "/" {
		rf.Name = ""
	}
	if !rf.IsDir {
		rf.Size = f.Size()
	}
	if mt := f.ModTime(); mt.Unix() != 0 { // gowebdav's "unknown" is the epoch
		rf.ModTime = mt
	}
	return rf
}

// validName reports whether a listed name can be a single path part.
func validName(name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return false
	}
	_, err := domain.CleanRemotePath(name) // control characters, bad UTF-8
	return err == nil
}

// sha1Checksum picks "SHA1:<hex>" out of an OC-Checksum value, which may
// list several ("SHA1:... MD5:... ADLER32:...").
func sha1Checksum(v string) string {
	for _, f := range strings.Fields(v) {
		algo, sum, ok := strings.Cut(f, ":")
		if !ok || !strings.EqualFold(algo, "SHA1") {
			continue
		}
		if b, err := hex.DecodeString(sum); err == nil && len(b) == 20 {
			return "SHA1:" + strings.ToLower(sum)
		}
	}
	return ""
}

// downloadBody translates a failure to read a download.
type downloadBody struct {
	rc  io.ReadCloser
	ctx context.Context
	t   target
}

func (b *downloadBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.t.transportError(b.ctx, err)
	}
	return n, err
}

func (b *downloadBody) Close() error { return b.rc.Close() }
