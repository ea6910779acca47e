package webdav

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	"github.com/photosync/photosync/domain"
)

// errChanged is the cause of an upload whose bytes do not have the SHA-1
// the caller gave, or whose chunks were sent with other bytes than those
// read through for that SHA-1.
var errChanged = errors.New("the file's bytes do not have the SHA-1 given")

// castagnoli is the CRC-32C table: a chunk's fingerprint, computed by the
// CPU's CRC instruction at many GB/s, so that it costs next to nothing
// beside the SHA-1.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// chunkSource reads an upload's body through once with Read, in order, a
// chunk at a time, and hashes everything it reads (when the SHA-1 is to be
// checked). That single pass is what the caller sees read, and what the
// SHA-1 is checked on. A body that is also an io.ReaderAt and an io.Seeker
// (an *os.File) can besides be read at offsets, from where it stood when
// the upload started, which lets chunks be sent several at once (see
// sendParallel).
type chunkSource struct {
	body io.Reader
	ra   io.ReaderAt // nil for a body that can only be read through
	base int64       // the body's offset when the upload started
	h    hash.Hash   // the SHA-1 of what was read through; nil when none is checked
	read int64
	buf  []byte
}

// newChunkSource reads body; sha1 says whether the SHA-1 of what is read
// is needed.
func newChunkSource(body io.Reader, sha1sum bool) *chunkSource {
	s := &chunkSource{body: body}
	if sha1sum {
		s.h = sha1.New()
	}
	ra, ok := body.(io.ReaderAt)
	sk, ok2 := body.(io.Seeker)
	if ok && ok2 {
		if off, err := sk.Seek(0, io.SeekCurrent); err == nil {
			s.ra, s.base = ra, off
		}
	}
	return s
}

// next returns the reader of the body's next n bytes, which hashes what
// it reads.
func (s *chunkSource) next(n int64) io.Reader {
	return io.TeeReader(io.LimitReader(s.body, n), sourceHash{s})
}

// at returns the reader of the n bytes at off, read at their offset
// without moving through the body; only for a body with s.ra.
func (s *chunkSource) at(off, n int64) io.Reader {
	return io.NewSectionReader(s.ra, s.base+off, n)
}

// skip reads the body's next n bytes through without sending them, and
// returns their CRC-32C.
func (s *chunkSource) skip(n int64) (uint32, error) {
	if s.buf == nil {
		s.buf = make([]byte, 256<<10) // fewer reads than io.Copy's 32 KiB
	}
	crc := crc32.New(castagnoli)
	got, err := io.CopyBuffer(crc, s.next(n), s.buf)
	if err == nil && got < n {
		err = io.ErrUnexpectedEOF
	}
	return crc.Sum32(), err
}

// sourceHash hashes and counts what the body's reader reads.
type sourceHash struct{ s *chunkSource }

func (c sourceHash) Write(p []byte) (int, error) {
	c.s.read += int64(len(p))
	if c.s.h != nil {
		c.s.h.Write(p)
	}
	return len(p), nil
}

// checkSum fails the upload with EINVALID when the SHA-1 given for the
// file is not that of the bytes read: the file changed after it was
// hashed. Nothing is checked when no SHA-1 was given.
func (u *chunkedUpload) checkSum(src *chunkSource) error {
	if u.sum.IsZero() {
		return nil
	}
	if src.read == u.size && hex.EncodeToString(src.h.Sum(nil)) == u.sum.Hex {
		return nil
	}
	return u.changed()
}

// changed is the error of an upload whose file changed while it was sent.
func (u *chunkedUpload) changed() error {
	why := "the bytes sent are not those read"
	if !u.sum.IsZero() {
		why = "its bytes are not those of " + ocChecksum(u.sum)
	}
	return &domain.Error{
		Code:    domain.EINVALID,
		Message: fmt.Sprintf("the file changed while it was sent to %s: %s", u.p, why),
		Err:     errChanged,
	}
}
