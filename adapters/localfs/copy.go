package localfs

import (
	"hash"
	"io"
	"sync"
)

// copyBufSize is the size of the buffers a write copies through: large
// enough that a photo takes a few write calls rather than dozens (at the
// 32 KiB io.Copy would use), small enough to keep a few per transfer.
const copyBufSize = 256 << 10

// copyBuffers keeps the copy buffers of finished writes for the next ones.
var copyBuffers = sync.Pool{New: func() any {
	b := make([]byte, copyBufSize)
	return &b
}}

// Files from pipelineMin bytes on are hashed on one core while they are
// written on another (see copyPipelined); below it, a file is over too
// soon for that to pay, and the writes of several files run at once
// anyway. pipelineDepth buffers are in use at a time.
const (
	pipelineMin   = 16 << 20
	pipelineDepth = 3
)

// copyHashed copies r to w until r ends and hashes what it copies into
// h; size is how many bytes are expected. It returns how many it copied.
func copyHashed(w io.Writer, h hash.Hash, r io.Reader, size int64) (int64, error) {
	if size >= pipelineMin {
		return copyPipelined(w, h, r)
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(io.MultiWriter(w, h), r, *buf)
}

// copyPipelined is copyHashed with the hashing in a goroutine of its own,
// so that the SHA-1 of a large file (about as slow as writing it to the
// page cache) costs no time of its own when a second core is free. The
// hash sees the chunks in the order they are read, and a buffer is read
// into again only once both its write and its hash are done.
func copyPipelined(w io.Writer, h hash.Hash, r io.Reader) (int64, error) {
	var bufs [pipelineDepth]*[]byte
	for i := range bufs {
		bufs[i] = copyBuffers.Get().(*[]byte)
	}
	chunks := make(chan []byte, pipelineDepth)
	hashed := make(chan struct{}, pipelineDepth)
	go func() {
		defer close(hashed)
		for b := range chunks {
			h.Write(b)
			hashed <- struct{}{}
		}
	}()
	var (
		total    int64
		err      error
		inFlight int
	)
	for i := 0; ; i++ {
		if inFlight == pipelineDepth {
			<-hashed // the oldest chunk, whose buffer comes next
			inFlight--
		}
		buf := *bufs[i%pipelineDepth]
		n, rerr := fill(r, buf)
		if n > 0 {
			chunks <- buf[:n]
			inFlight++
			if _, err = w.Write(buf[:n]); err != nil {
				break
			}
			total += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	close(chunks)
	for range hashed { // wait for the hash to see every chunk
	}
	for _, b := range bufs {
		copyBuffers.Put(b)
	}
	return total, err
}

// fill reads into buf until it is full or r fails; io.EOF when r ended.
// Unlike io.ReadFull it passes r's own errors on as they are, so that a
// broken body's io.ErrUnexpectedEOF is not taken for the end of a short
// last chunk.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
