package webdav

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"io"

	"github.com/photosync/photosync/domain"
)

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
	case err != nil && err != io.EOF:
		err = b.t.transportError(b.ctx, err)
	}
	return n, err
}

func (b *downloadBody) Close() error { return b.rc.Close() }
