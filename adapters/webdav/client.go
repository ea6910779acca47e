package webdav

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
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
	opts      Options
	jar       *sessionJar // the server's session cookies, in memory only
	space     spaceMemo   // folders' free space read after a 507
	bulkState bulkState   // whether bulk upload may be used
	csrf      csrfState   // the session's CSRF token, for bulk requests
	gate      gate        // uploads in flight, adapted to the server's pushback
	staleOnce sync.Once   // abandoned upload folders looked for, see removeStaleUploads
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
// A Nextcloud file larger than Options.ChunkSize goes in chunks (chunked
// upload v2, see uploadChunked): an upload interrupted after some chunks
// sends only the others when it is tried again, and memory stays bounded
// whatever the size. body is still read through once, so that a caller
// counting what is read sees size bytes, and so that the file's SHA-1 is
// checked against meta's before the chunks are assembled (EINVALID, not
// Remote, when the file changed). A body that is also an io.ReaderAt and
// an io.Seeker (an *os.File) has its chunks read at their offsets besides,
// up to four sent at once, each compared with the bytes read through; its
// ReadAt must work while Read does, as an *os.File's does. A server
// without the uploads endpoint gets a single PUT.
//
// The PUT is sent with net/http rather than gowebdav, which creates the
// parent folder before every upload and can neither send these headers nor
// declare a length without buffering.
func (c *Client) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	_, err := c.UploadProven(ctx, p, body, size, meta)
	return err
}

var _ ports.ProvingUploader = (*Client)(nil)

// UploadProven is Upload that also returns the SHA-1 (lower-case hex) that
// Nextcloud computed from the bytes it stored: a PUT, or the MOVE that
// assembles a chunked upload, is sent with "X-Hash: sha1", and Nextcloud's
// File::put hashes the stream it writes and answers X-Hash-SHA1. It is ""
// when the server gave none (another server, a Nextcloud that assembles
// chunks in an object store, an assembly finished by another request, a
// file found there already): the caller then reads the file back. It is
// never the checksum sent (OC-Checksum) nor oc:checksums, which Nextcloud
// stores unverified.
func (c *Client) UploadProven(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) (string, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return "", err
	}
	if p == "/" {
		return "", domain.Errorf(domain.EINVALID, "upload: the path names the account's folder, not a file")
	}
	if size > 0 && body == nil {
		return "", domain.Errorf(domain.EINVALID, "upload %s: no body for %d bytes", p, size)
	}
	if size < 0 {
		return "", domain.Errorf(domain.EINVALID, "upload %s: the size %d is negative", p, size)
	}
	t := c.target("upload", p)
	dir := path.Dir(p)
	if err := c.fits(dir, size); err != nil {
		return "", err
	}
	if err := c.gate.enter(ctx); err != nil {
		return "", t.transportError(ctx, err)
	}
	proof, err := c.upload(ctx, p, body, size, meta, t)
	c.gate.leave(err)
	c.noteUpload(ctx, dir, size, err)
	return proof, err
}

// upload sends a file in chunks or in one PUT; see UploadProven.
func (c *Client) upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta, t target) (string, error) {
	if size > c.opts.ChunkSize {
		if up, ok := c.uploadsURL(); ok {
			proof, err := c.uploadChunked(ctx, p, body, size, meta, up, t)
			if !errors.Is(err, errNoChunking) {
				return proof, err
			}
			c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: the server has no chunked upload; sending the file in one request",
				slog.String("path", p), slog.String("error", err.Error()))
		}
	}
	return c.put(ctx, p, body, size, meta, t)
}

// serverSHA1 reads the X-Hash-SHA1 answer to a request sent with
// "X-Hash: sha1": 40 hex digits, in lower case; "" for anything else.
func serverSHA1(h http.Header) string {
	c, err := domain.NewChecksum(domain.AlgoSHA1, strings.TrimSpace(h.Get("X-Hash-SHA1")))
	if err != nil {
		return ""
	}
	return c.Hex
}

// put sends a file in one PUT request; see UploadProven.
func (c *Client) put(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta, t target) (string, error) {
	u := c.url(p)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), nil)
	if err != nil {
		return "", t.transportError(ctx, err)
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
	c.setMeta(req.Header, meta)
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return "", t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		c.checkMtime(ctx, p, req.Header, resp.Header)
		return c.proof(resp.Header), nil
	case http.StatusConflict, http.StatusNotFound:
		// RFC 4918 answers 409 for a missing parent; some servers 404.
		parent := path.Dir(p)
		return "", &domain.Error{
			Code: domain.ENOTFOUND, Message: "the folder " + parent + " does not exist", Remote: true,
			Err: t.statusError(http.MethodPut, u.Redacted(), resp.StatusCode, resp.Header),
		}
	default:
		err := t.statusError(http.MethodPut, u.Redacted(), resp.StatusCode, resp.Header)
		if nerr := c.nameTooLong(p, resp.StatusCode, err); nerr != nil {
			return "", nerr
		}
		return "", err
	}
}

// proof is the SHA-1 a Nextcloud upload's answer proves, "" from other
// servers (which were not asked, and whose header means nothing).
func (c *Client) proof(h http.Header) string {
	if !c.isNextcloud() {
		return ""
	}
	return serverSHA1(h)
}

// Download opens a file for reading; the caller closes the reader, and
// keeps ctx alive while reading. The RemoteFile has the size the server
// declared (-1 when it did not), its modification time, ETag and, from
// Nextcloud, its SHA-1 checksum. ENOTFOUND when there is no such file.
// Reading fails with an error wrapping io.ErrUnexpectedEOF when the
// connection breaks before the declared size. The RemoteFile's Checksum is
// the SHA-1 the server announced (its OC-Checksum header), which the bytes
// are not checked against here (see ports.RemoteStorage.Download): the
// caller checks it where it keeps them. Nextcloud stores the checksum a
// client sends without checking it, so that check matters.
func (c *Client) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	return c.DownloadWith(ctx, p, ports.DownloadOptions{})
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
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, pin: true, logger: c.logger, idle: c.timeout, jar: c.jar}
	d := gowebdav.NewAuthClient(davOrigin+c.endpoint.Path, gowebdav.NewPreemptiveAuth(&basicAuth{user: c.user, pass: c.pass}))
	d.SetTransport(x)
	return d, x
}

// http returns a net/http client for one operation, with ctx on every
// request, that only talks to the account's server.
func (c *Client) http(ctx context.Context, checkRedirect func(*http.Request, []*http.Request) error) (*http.Client, *exchange) {
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, logger: c.logger, idle: c.timeout, jar: c.jar}
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

// validName reports whether a listed name can be a single path part.
func validName(name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return false
	}
	_, err := domain.CleanRemotePath(name) // control characters, bad UTF-8
	return err == nil
}

// parseOCChecksums picks the SHA-1 out of the checksums Nextcloud reports
// for a file, in an OC-Checksum header or an oc:checksums property: a
// space-separated list such as "SHA1:<hex> MD5:<hex> ADLER32:<hex>", the
// algorithm in any case. The SHA-1 is the one checksum the core uses; a
// malformed one counts as none. The zero Checksum when there is none.
func parseOCChecksums(v string) domain.Checksum {
	for _, f := range strings.Fields(v) {
		algo, sum, ok := strings.Cut(f, ":")
		if !ok || !strings.EqualFold(algo, string(domain.AlgoSHA1)) {
			continue
		}
		if c, err := domain.NewChecksum(domain.AlgoSHA1, sum); err == nil && !c.IsZero() {
			return c
		}
	}
	return domain.Checksum{}
}

// ocChecksum is the OC-Checksum form of a checksum, "<ALGO>:<hex>" ("" for
// none), as Nextcloud's clients send it and Nextcloud stores it.
func ocChecksum(c domain.Checksum) string {
	if c.IsZero() {
		return ""
	}
	return string(c.Algo) + ":" + c.Hex
}
