package webdav

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// parallelChunks is how many chunks of one file are sent at once when its
// body can be read at offsets: enough to hide each chunk's round trips and
// the server's work between two chunks, few enough that an interrupted
// upload loses little (the chunks in flight) and that a server (PHP
// workers, a proxy's connection limit) is not crowded by one upload.
const parallelChunks = 4

// sendParallel puts the chunks that are not in have (chunk number to size)
// on the server, up to parallelChunks at once, each read at its offset
// (Nextcloud assembles chunks by their numbers, whatever the order they
// came in). Nothing is buffered. Beside the sends, the body is read
// through once, in order, as the chunks reach the server: that pass is
// what the caller sees read, and what the SHA-1 is checked on, as in send.
// Since the bytes sent and the bytes hashed are then read apart, each
// chunk's CRC-32C is taken both ways: a chunk that differs (the file
// changed between the two reads) fails the upload as a file whose SHA-1
// does not match. Reading a chunk through only once it is on the server
// took no longer than reading ahead of the sends (BenchmarkChunkedUpload*
// could not tell them apart), keeps what a caller counts to what the
// server has, and lets each CRC-32C be compared as soon as it is known.
//
// The first failure cancels the other sends and is the upload's error;
// sendParallel returns only when every request it started has ended.
func (u *chunkedUpload) sendParallel(ctx context.Context, src *chunkSource, have map[int]int64) error {
	var todo []int
	for i := 1; i <= u.n; i++ {
		if have[i] != u.chunkSize(i) {
			todo = append(todo, i)
		}
	}
	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel()
	}

	sent := make([]uint32, u.n+1)      // the CRC-32C of each chunk sent
	ready := make(chan int, len(todo)) // never blocks a sender
	var next atomic.Int64              // the index in todo of the next chunk to send
	var wg sync.WaitGroup
	for range min(parallelChunks, len(todo)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(todo) {
					return
				}
				i := todo[k]
				crc, err := u.putChunk(ctx, i, src.at(u.chunkOffset(i), u.chunkSize(i)), u.chunkSize(i))
				if err != nil {
					fail(err)
					return
				}
				sent[i] = crc
				ready <- i
			}
		})
	}
	if err := u.readThrough(ctx, src, have, sent, ready); err != nil {
		fail(err)
	}
	wg.Wait()
	mu.Lock()
	err := first
	mu.Unlock()
	if err != nil {
		return err
	}
	if err := outer.Err(); err != nil {
		// Cancelled between two chunks: no request failed.
		return u.t.transportError(outer, err)
	}
	return u.checkSum(src)
}

// readThrough reads the body through in order, each chunk once it is on
// the server (its number came on ready) or was there already, and
// compares the CRC-32C of each chunk sent with that of the bytes read. It
// stops early, without an error, when ctx ends.
func (u *chunkedUpload) readThrough(ctx context.Context, src *chunkSource, have map[int]int64, sent []uint32, ready <-chan int) error {
	on := make([]bool, u.n+1) // the chunks on the server
	for i := 1; i <= u.n; i++ {
		on[i] = have[i] == u.chunkSize(i)
	}
	for i := 1; i <= u.n; i++ {
		for !on[i] {
			select {
			case j := <-ready:
				on[j] = true
			case <-ctx.Done():
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		crc, err := src.skip(u.chunkSize(i))
		if err != nil {
			return fmt.Errorf("upload %s: read the file: %w", u.p, err)
		}
		if have[i] != u.chunkSize(i) && crc != sent[i] {
			return u.changed()
		}
	}
	return nil
}
