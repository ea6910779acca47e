package media

import (
	"context"
	"errors"
	"hash"
	"io"
	"sync"
)

// checkBufSize is the size of the buffer a file is read through: large
// enough that a read costs little next to hashing it (measured in
// docs/integrity.md), small enough for several indexing workers. A
// variable for the benchmarks that tune it.
var checkBufSize = 256 << 10

// bufPool keeps the read buffers between files.
var bufPool sync.Pool

func getBuf() *[]byte {
	if b, ok := bufPool.Get().(*[]byte); ok && len(*b) == checkBufSize {
		return b
	}
	b := make([]byte, checkBufSize)
	return &b
}

func putBuf(b *[]byte) { bufPool.Put(b) }

// errShort means the file ended before what a checker was reading.
var errShort = errors.New("the file ends early")

// stream reads a file from its start through one buffer, for the checkers
// that read a structure in order. It reads either sequentially from src,
// handing every byte read to hash (the index's single pass), or from ra at
// offsets, skipping what a checker skips without reading it (Check).
type stream struct {
	ctx  context.Context
	src  io.Reader   // sequential source, or nil
	ra   io.ReaderAt // when src is nil
	size int64       // the file's size as declared
	hash hash.Hash   // with src: gets every byte read
	buf  []byte
	r, w int   // buf[r:w] is read and not yet consumed
	off  int64 // the file offset of buf[w]
	eof  bool
	err  error // a failure to read other than the end of the file

	read  int64 // with src: bytes read from it
	zeros int64 // with src: the run of zeros that ends what was read
	// zeroOK is where zeros that run to the end of the file may be
	// legitimate (an uncompressed TIFF strip, a trailing free box);
	// beyond the end when nowhere.
	zeroOK int64
}

// newStream returns a stream over src (hashing into h, which may be nil)
// or, when src is nil, over ra.
func newStream(ctx context.Context, src io.Reader, ra io.ReaderAt, size int64, buf []byte, h hash.Hash) *stream {
	return &stream{ctx: ctx, src: src, ra: ra, size: size, hash: h, buf: buf, zeroOK: size + 1}
}

// pos is the file offset of the next byte a checker consumes.
func (s *stream) pos() int64 { return s.off - int64(s.w-s.r) }

// fill reads more bytes into the buffer, after moving what is left
// unconsumed to its front. It returns errShort at the end of the file.
func (s *stream) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.eof {
		return errShort
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return err
	}
	if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.r = 0
	}
	if s.w == len(s.buf) {
		return nil
	}
	var n int
	var err error
	if s.src != nil {
		n, err = s.src.Read(s.buf[s.w:])
		if n > 0 {
			p := s.buf[s.w : s.w+n]
			if s.hash != nil {
				s.hash.Write(p)
			}
			s.read += int64(n)
			s.countZeros(p)
		}
	} else {
		want := min(int64(len(s.buf)-s.w), s.size-s.off)
		if want <= 0 {
			s.eof = true
			return errShort
		}
		n, err = s.ra.ReadAt(s.buf[s.w:s.w+int(want)], s.off)
		if err == io.EOF && n > 0 {
			err = nil
		}
	}
	s.w += n
	s.off += int64(n)
	switch {
	case err == io.EOF:
		s.eof = true
		if n == 0 {
			return errShort
		}
	case err != nil:
		s.err = err
		return err
	case n == 0 && s.src == nil:
		s.eof = true
		return errShort
	}
	return nil
}

// countZeros updates the run of zeros at the end of what was read.
func (s *stream) countZeros(p []byte) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0 {
			s.zeros = int64(len(p) - 1 - i)
			return
		}
	}
	s.zeros += int64(len(p))
}

// peek returns the next n bytes (n at most the buffer's size) without
// consuming them; fewer, with errShort, at the end of the file.
func (s *stream) peek(n int) ([]byte, error) {
	for s.w-s.r < n {
		if err := s.fill(); err != nil {
			return s.buf[s.r:s.w], err
		}
	}
	return s.buf[s.r : s.r+n], nil
}

// next consumes and returns the next n bytes (n at most the buffer's
// size); valid until the next call.
func (s *stream) next(n int) ([]byte, error) {
	b, err := s.peek(n)
	if err != nil {
		return nil, err
	}
	s.r += n
	return b, nil
}

// byte consumes one byte.
func (s *stream) byte() (byte, error) {
	if s.r == s.w {
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	c := s.buf[s.r]
	s.r++
	return c, nil
}

// window returns the bytes read and not consumed, reading more when there
// are none; errShort at the end of the file.
func (s *stream) window() ([]byte, error) {
	if s.r == s.w {
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
	return s.buf[s.r:s.w], nil
}

// skip consumes n bytes: reading (and hashing) them from src, or moving
// past them in ra. errShort when the file ends first.
func (s *stream) skip(n int64) error {
	if n < 0 {
		return errShort
	}
	if avail := int64(s.w - s.r); n <= avail {
		s.r += int(n)
		return nil
	}
	n -= int64(s.w - s.r)
	s.r, s.w = 0, 0
	if s.src == nil {
		if s.off+n > s.size || s.off+n < s.off {
			s.off, s.eof = s.size, true
			return errShort
		}
		s.off += n
		return nil
	}
	for n > 0 {
		if err := s.fill(); err != nil {
			return err
		}
		k := min(n, int64(s.w))
		s.r = int(k)
		n -= k
		if s.r == s.w {
			s.r, s.w = 0, 0
		}
	}
	return nil
}

// drain reads src to its end, hashing it.
func (s *stream) drain() error {
	for {
		s.r, s.w = 0, 0
		if err := s.fill(); err != nil {
			if errors.Is(err, errShort) {
				return nil
			}
			return err
		}
	}
}

// trailingZeros answers the run of zeros that ends the file, counted up to
// zeroTailCap bytes: from what src gave (after a drain) or by reading the
// end of ra.
func (s *stream) trailingZeros(ra io.ReaderAt) (int64, error) {
	if s.src != nil {
		if err := s.drain(); err != nil {
			return 0, err
		}
		return min(s.zeros, zeroTailCap), nil
	}
	var block [4096]byte
	var z int64
	for end := s.size; end > 0 && z < zeroTailCap; {
		n := min(int64(len(block)), end)
		b := block[:n]
		if _, err := ra.ReadAt(b, end-n); err != nil && err != io.EOF {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return z + int64(len(b)-1-i), nil
			}
		}
		z += n
		end -= n
	}
	return min(z, zeroTailCap), nil
}

// seekReaderAt reads at offsets by seeking r.
type seekReaderAt struct{ r io.ReadSeeker }

func (s seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.r, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// readerAtBeside returns an io.ReaderAt over r for use while r is also
// read in order: r itself when it is one, else one that seeks and then
// puts r's position back.
func readerAtBeside(r io.ReadSeeker) io.ReaderAt {
	if ra, ok := r.(io.ReaderAt); ok {
		return ra
	}
	return restoringReaderAt{r}
}

type restoringReaderAt struct{ r io.ReadSeeker }

func (s restoringReaderAt) ReadAt(p []byte, off int64) (int, error) {
	cur, err := s.r.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	n, err := seekReaderAt(s).ReadAt(p, off)
	if _, serr := s.r.Seek(cur, io.SeekStart); serr != nil && err == nil {
		err = serr
	}
	return n, err
}
