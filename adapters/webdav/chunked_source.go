package webdav

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/photosync/photosync/domain"
)

// errChanged is the cause of an upload whose bytes do not have the SHA-1
// the caller gave.
var errChanged = errors.New("the file's bytes do not have the SHA-1 given")

// chunkSource reads an upload's body a chunk at a time, in order, and
// hashes everything it reads. A body that is an io.ReaderAt and an
// io.Seeker (an *os.File) is read from its current offset with a section
// reader per chunk; any other body is read through.
type chunkSource struct {
	body io.Reader
	ra   io.ReaderAt // nil for a body read through
	base int64
	h    hash.Hash
	read int64
}

func newChunkSource(body io.Reader) *chunkSource {
	s := &chunkSource{body: body, h: sha1.New()}
	ra, ok := body.(io.ReaderAt)
	sk, ok2 := body.(io.Seeker)
	if ok && ok2 {
		if off, err := sk.Seek(0, io.SeekCurrent); err == nil {
			s.ra, s.base = ra, off
		}
	}
	return s
}

// chunk returns the reader of the n bytes at off, which must follow the
// bytes read before.
func (s *chunkSource) chunk(off, n int64) io.Reader {
	var r io.Reader
	if s.ra != nil {
		r = io.NewSectionReader(s.ra, s.base+off, n)
	} else {
		r = io.LimitReader(s.body, n)
	}
	return io.TeeReader(r, &countingHash{s})
}

// skip reads the n bytes at off without sending them.
func (s *chunkSource) skip(off, n int64) error {
	got, err := io.Copy(io.Discard, s.chunk(off, n))
	if err == nil && got < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// countingHash hashes and counts what a chunk's reader reads.
type countingHash struct{ s *chunkSource }

func (c *countingHash) Write(p []byte) (int, error) {
	c.s.read += int64(len(p))
	return c.s.h.Write(p)
}

// checkSum fails the upload with EINVALID when the SHA-1 given for the
// file is not that of the bytes read: the file changed after it was
// hashed. Nothing is checked when no SHA-1 was given.
func (u *chunkedUpload) checkSum(src *chunkSource) error {
	if u.sum == "" {
		return nil
	}
	got := "SHA1:" + hex.EncodeToString(src.h.Sum(nil))
	if src.read == u.size && got == u.sum {
		return nil
	}
	return &domain.Error{
		Code:    domain.EINVALID,
		Message: fmt.Sprintf("the file changed while it was sent to %s: its bytes are not those of %s", u.p, u.sum),
		Err:     errChanged,
	}
}
