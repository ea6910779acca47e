package memory

import (
	"context"
	"io"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// denied is the storage seen with wrong credentials: every call fails.
type denied struct{ user string }

var (
	_ ports.RemoteStorage = denied{}
	_ ports.Downloader    = denied{}
)

func (d denied) err() error {
	return domain.RemoteErrorf(domain.EUNAUTHORIZED, "the server rejected the user name or password for user %q", d.user)
}

func (d denied) Stat(context.Context, string) (domain.RemoteFile, error) {
	return domain.RemoteFile{}, d.err()
}
func (d denied) List(context.Context, string) ([]domain.RemoteFile, error) { return nil, d.err() }
func (d denied) MkdirAll(context.Context, string) error                    { return d.err() }
func (d denied) Upload(context.Context, string, io.Reader, int64, domain.UploadMeta) error {
	return d.err()
}
func (d denied) Download(context.Context, string) (io.ReadCloser, domain.RemoteFile, error) {
	return nil, domain.RemoteFile{}, d.err()
}
func (d denied) DownloadWith(context.Context, string, ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	return nil, domain.RemoteFile{}, d.err()
}
func (d denied) Delete(context.Context, string) error { return d.err() }
