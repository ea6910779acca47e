package webdav

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.Downloader = (*Client)(nil)

// DownloadWith is Download with options; see ports.DownloadOptions. The
// body is not checked against the RemoteFile's Checksum: the caller checks
// it (see ports.RemoteStorage.Download). With Streams above 1 the file is fetched
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
	return &downloadBody{rc: body, ctx: ctx, t: t}, f, nil
}

// remoteFileOf is the file a GET's answer describes.
func remoteFileOf(p string, h http.Header, size int64) domain.RemoteFile {
	f := domain.RemoteFile{Path: p, Name: path.Base(p), Size: size}
	if mt, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		f.ModTime = mt
	}
	f.ETag = h.Get("ETag")
	f.Checksum = parseOCChecksums(h.Get("OC-Checksum"))
	return f
}

// downloadBody is a download's body. It translates a failure to read it.
type downloadBody struct {
	rc  io.ReadCloser
	ctx context.Context
	t   target
}

func (b *downloadBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	var de *domain.Error
	if err != nil && err != io.EOF && !errors.As(err, &de) {
		// A ranged body's errors are translated already.
		err = b.t.transportError(b.ctx, err)
	}
	return n, err
}

func (b *downloadBody) Close() error { return b.rc.Close() }
