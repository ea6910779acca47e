package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"io"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// readRemoteSHA1 reads a server's file through SHA-1 (see readRemote) and
// returns the SHA-1 and the number of bytes read.
func readRemoteSHA1(ctx context.Context, st ports.RemoteStorage, p string) (string, int64, error) {
	return readRemote(ctx, st, p, func(r io.Reader) error {
		// Read in large pieces: io.Copy to io.Discard reads 8 KiB at a
		// time, a system call each, which on a fast link cost as much CPU
		// as hashing the bytes (issue 22).
		bp := readBufs.Get().(*[]byte)
		defer readBufs.Put(bp)
		buf := *bp
		for {
			_, err := r.Read(buf)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}

// readBufs are the buffers read-backs read through.
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, readBackBuf)
	return &b
}}

// readBackBuf is the size of a read-back's reads.
const readBackBuf = 256 << 10

// readRemote downloads the server's file at p and hands its body to use:
// the one place where the app hashes a server's file by reading it (a
// download into the library is checked by the library writer instead).
// The body is hashed as use reads it, and once it is read to its end,
// bytes whose SHA-1 is not the one the server announced with the download
// fail that last read (EINVALID, "checksum mismatch"), so use never takes
// them for the file. It returns the SHA-1 of the bytes read, "" when use
// stopped before the end, and how many use read.
func readRemote(ctx context.Context, st ports.RemoteStorage, p string, use func(io.Reader) error) (string, int64, error) {
	rc, f, err := st.Download(ctx, p)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	b := &checkedBody{r: rc, h: sha1.New(), want: f.Checksum, path: p}
	err = use(b)
	return b.sum, b.n, err
}

// checkedBody hashes a download's body as it is read and, at its end,
// fails when the bytes are not those of the checksum the server announced.
type checkedBody struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	want domain.Checksum // the server's; only a SHA-1 is checked
	path string
	sum  string // the SHA-1 of the bytes, once read to the end
	err  error  // the mismatch, once found
}

func (b *checkedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	b.n += int64(n)
	if err == io.EOF {
		b.sum = hex.EncodeToString(b.h.Sum(nil))
		if want := b.want.SHA1(); want != "" && want != b.sum {
			b.sum = ""
			b.err = &domain.Error{
				Code: domain.EINVALID,
				Message: "checksum mismatch: the server's " + b.want.String() + " differs from the bytes received (" +
					domain.SHA1Checksum(hex.EncodeToString(b.h.Sum(nil))).String() + ") for " + b.path,
				Remote: true,
			}
			return n, b.err
		}
	}
	return n, err
}
