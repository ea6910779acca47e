package webdav

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"path"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.Downloader = (*Client)(nil)

// DownloadWith is Download with options; see ports.DownloadOptions. With
// Unchecked the body does not hash what it reads: the caller checks the
// RemoteFile's Checksum itself. With Streams above 1 the file is fetched
// in parts of rangePartSize, that many at once (see downloadRanged),
// when the server sends parts; the body reads the same bytes either way.
func (c *Client) DownloadWith(ctx context.Context, p string, opts ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return nil, domain.RemoteFile{}, err
	}
	if opts.Streams > 1 {
		return c.downloadRanged(ctx, p, opts)
	}
	return c.downloadOne(ctx, p, opts)
}

// downloadOne downloads a file in one request.
func (c *Client) downloadOne(ctx context.Context, p string, opts ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	t := c.target("download", p)
	dav, x := c.dav(ctx)
	body, err := dav.ReadStream(p)
	if err = c.check(ctx, x, t, "GET", p, err); err != nil {
		return nil, domain.RemoteFile{}, err
	}
	f := remoteFileOf(p, x.header(), x.last.ContentLength)
	return newDownloadBody(ctx, body, t, checked(f, opts)), f, nil
}

// remoteFileOf is the file a GET's answer describes.
func remoteFileOf(p string, h http.Header, size int64) domain.RemoteFile {
	f := domain.RemoteFile{Path: p, Name: path.Base(p), Size: size}
	if mt, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		f.ModTime = mt
	}
	f.ETag = h.Get("ETag")
	f.Checksum = sha1Checksum(h.Get("OC-Checksum"))
	return f
}

// checked is the checksum a download's body checks: the server's, unless
// the caller checks it.
func checked(f domain.RemoteFile, opts ports.DownloadOptions) string {
	if opts.Unchecked {
		return ""
	}
	return f.Checksum
}

// downloadBody is a download's body. It translates a failure to read it,
// and, when the server announced the file's SHA-1, hashes what it reads
// and fails at the end when the bytes received are not the server's.
type downloadBody struct {
	rc   io.ReadCloser
	ctx  context.Context
	t    target
	want string    // "SHA1:<hex>", or "" to check nothing
	h    hash.Hash // nil when want is ""
	err  error     // the mismatch, once found
}

func newDownloadBody(ctx context.Context, rc io.ReadCloser, t target, want string) *downloadBody {
	b := &downloadBody{rc: rc, ctx: ctx, t: t, want: want}
	if want != "" {
		b.h = sha1.New()
	}
	return b
}

func (b *downloadBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	if b.h != nil {
		b.h.Write(p[:n])
	}
	var de *domain.Error
	switch {
	case err == io.EOF && b.h != nil:
		if got := "SHA1:" + hex.EncodeToString(b.h.Sum(nil)); got != b.want {
			b.err = &domain.Error{
				Code: domain.EINVALID,
				Message: "checksum mismatch: the server's " + b.want + " differs from the bytes received (" +
					got + ") for " + b.t.what,
				Remote: true,
			}
			return n, b.err
		}
	case err != nil && err != io.EOF && !errors.As(err, &de):
		// A ranged body's errors are translated already.
		err = b.t.transportError(b.ctx, err)
	}
	return n, err
}

func (b *downloadBody) Close() error { return b.rc.Close() }
