package webdav

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"sync"

	"github.com/photosync/photosync/domain"
)

// This file sends a large file to Nextcloud with chunked upload v2, as
// Nextcloud's developer manual ("Chunked file upload") describes it:
//
//  1. MKCOL <base>/remote.php/dav/uploads/<user id>/<transfer id>, with
//     Destination: the file's full URL below remote.php/dav/files/;
//  2. PUT each chunk into that folder as 00001, 00002, ... (numbers 1 to
//     10000, assembled in that order; every chunk but the last of 5 MB to
//     5 GB), with Destination and OC-Total-Length, so that Nextcloud checks
//     the quota before the first byte;
//  3. MOVE <folder>/.file to Destination, with OC-Total-Length, X-OC-Mtime
//     and OC-Checksum: Nextcloud assembles the chunks into the file and
//     removes the folder.
//
// The transfer id is derived from the destination, size, modification
// time, SHA-1 and chunk size, so an upload tried again after an
// interruption finds its folder and sends only the chunks missing there
// (Nextcloud keeps a folder for 24 hours of inactivity). A 423 on the
// final MOVE means another request is assembling the chunks (an earlier
// MOVE whose answer was lost): the destination is polled until the file
// is there. A folder that cannot lead to the file any more (the MOVE was
// refused) is deleted, and so is the folder of an upload that could not
// be resumed anyway (its SHA-1 is unknown).
//
// Chunks go one after the other from a body that can only be read
// through (send), and several at once from one that can be read at
// offsets, an *os.File (sendParallel): the manual lets chunks come in any
// order, and a few in flight hide each chunk's round trips (the wait for
// 100 Continue, the answer) and the server's work on it between two
// chunks.

// chunkedUpload is one file's chunked upload.
type chunkedUpload struct {
	c         *Client
	t         target
	p         string   // the clean remote path
	dest      *url.URL // the file's URL, for Destination
	folder    *url.URL // the upload folder, ending in "/"
	size      int64
	chunk     int64 // the size of every chunk but the last
	n         int   // the number of chunks
	meta      domain.UploadMeta
	sum       domain.Checksum // the file's SHA-1 when known
	resumable bool
	before    *domain.RemoteFile // the destination's file as prepare found it, if it looked
}

var (
	// errAlreadyThere ends an upload whose file is on the server already.
	errAlreadyThere = errors.New("the file is on the server already")
	// errNoChunking is a server without the uploads endpoint.
	errNoChunking = errors.New("no chunked upload on this server")
)

// uploadChunked sends size bytes of body to p in chunks, in the upload
// folder below up (the account's remote.php/dav/uploads/<user id>/).
func (c *Client) uploadChunked(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta, up *url.URL, t target) (string, error) {
	u := &chunkedUpload{c: c, t: t, p: p, size: size, meta: meta}
	u.chunk = max(c.opts.ChunkSize, (size+maxChunks-1)/maxChunks)
	u.n = int((size + u.chunk - 1) / u.chunk)
	u.dest = c.url(p)
	u.dest.User = nil
	if sum, err := domain.NewChecksum(domain.AlgoSHA1, meta.SHA1); err == nil {
		u.sum = sum
	}
	var id string
	id, u.resumable = transferID(u.dest, size, meta, u.chunk, ocChecksum(u.sum))
	u.folder = up.JoinPath(id)
	u.folder.Path, u.folder.RawPath = u.folder.Path+"/", u.folder.EscapedPath()+"/"

	c.removeStaleUploads(ctx, up, t)
	have, err := u.prepare(ctx)
	src := newChunkSource(body, !u.sum.IsZero())
	if errors.Is(err, errAlreadyThere) {
		// Read it all the same: what is there must be what the caller has.
		if _, err := src.skip(size); err != nil {
			return "", fmt.Errorf("upload %s: read the file: %w", p, err)
		}
		return "", u.checkSum(src)
	}
	if err == nil && src.ra != nil {
		err = u.sendParallel(ctx, src, have)
	} else if err == nil {
		err = u.send(ctx, src, have)
	}
	var proof string
	if err == nil {
		proof, err = u.assemble(ctx)
	}
	if err != nil && !errors.Is(err, errNoChunking) && (!u.resumable || useless(err) || errors.Is(err, errChanged)) {
		u.abort(ctx)
	}
	return proof, err
}

// useless reports whether the upload folder of an upload that failed with
// err can never make the file, so it is removed rather than kept to resume
// from: the server refused its chunks (a bad request: chunks that do not
// sum up to the file, a chunk too small) or refuses this file for good
// (forbidden). Everything else keeps the folder for the next try, which
// sends only the missing chunks: a busy server, a broken connection, a
// cancelled upload, a local read error, no space left (space may be
// freed), a missing destination folder (the next run makes it). Nextcloud
// removes a folder untouched for 24 hours itself.
func useless(err error) bool {
	if !domain.IsRemote(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if HTTPStatus(err) == http.StatusInsufficientStorage {
		return false
	}
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.EFORBIDDEN:
		return true
	}
	return false
}

// send puts the chunks that are not in have (chunk number to size) on the
// server, one after the other, in order, reading the body through once
// (see chunkSource); nothing is buffered. It is the way of a body that can
// only be read through (see sendParallel for the others). The chunks on
// the server already are read too, but not sent, so that the SHA-1 of the
// whole file is checked against the one given before the chunks are
// assembled: chunks of another content (the file changed since an
// interrupted try) never make a file.
func (u *chunkedUpload) send(ctx context.Context, src *chunkSource, have map[int]int64) error {
	for i := 1; i <= u.n; i++ {
		n := u.chunkSize(i)
		if have[i] == n {
			if _, err := src.skip(n); err != nil {
				return fmt.Errorf("upload %s: read the file: %w", u.p, err)
			}
			continue
		}
		if _, err := u.putChunk(ctx, i, src.next(n), n); err != nil {
			return err
		}
	}
	return u.checkSum(src)
}

// chunkOffset is where chunk number i starts in the file.
func (u *chunkedUpload) chunkOffset(i int) int64 { return int64(i-1) * u.chunk }

// chunkSize is the size of chunk number i: u.chunk but for the last.
func (u *chunkedUpload) chunkSize(i int) int64 { return min(u.chunk, u.size-u.chunkOffset(i)) }

// putChunk sends chunk number i, n bytes read from r, and returns the
// CRC-32C of the bytes sent.
func (u *chunkedUpload) putChunk(ctx context.Context, i int, r io.Reader, n int64) (uint32, error) {
	cu := u.folder.JoinPath(chunkName(i))
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, cu.String(), nil)
	if err != nil {
		return 0, u.t.transportError(ctx, err)
	}
	body := &chunkBody{r: r}
	req.Body, req.ContentLength = body, n
	req.Header.Set("Destination", u.dest.String())
	req.Header.Set("OC-Total-Length", strconv.FormatInt(u.size, 10))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Expect", "100-continue")
	req.SetBasicAuth(u.c.user, u.c.pass)
	hc, x := u.c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	sent, crc := body.stop() // the transport may still hold the body: nothing more is read
	if err != nil {
		return 0, u.t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		if sent != n {
			// A server that stored a chunk it did not receive whole; the
			// listing of a resumed upload finds it short and sends it again.
			return 0, domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered before it received chunk %d of %s (%d of %d bytes)", i, u.p, sent, n)
		}
		return crc, nil
	case http.StatusNotFound, http.StatusConflict:
		// The folder is gone: it expired, or was assembled or removed by
		// another request. Trying again starts a new one.
		return 0, &domain.Error{
			Code: domain.EUNAVAILABLE, Message: "the server dropped the upload folder of " + u.p + " (it keeps one for 24 hours)",
			Remote: true, Err: u.t.statusError(http.MethodPut, cu.Redacted(), resp.StatusCode, resp.Header),
		}
	}
	return 0, u.t.statusError(http.MethodPut, cu.Redacted(), resp.StatusCode, resp.Header)
}

// chunkName is the name of chunk number i, 1 to 10000: 00001 to 10000.
func chunkName(i int) string { return fmt.Sprintf("%05d", i) }

// assemble asks Nextcloud to assemble the chunks into the file, and
// returns the SHA-1 it answered for what it wrote (see UploadProven), ""
// when it answered none.
func (u *chunkedUpload) assemble(ctx context.Context) (string, error) {
	// What is at the destination before, to tell the assembled file from
	// it should the MOVE answer 423.
	var before domain.RemoteFile
	if u.before != nil {
		before = *u.before
	} else if f, err := u.c.stat(ctx, u.p, u.t); err == nil {
		before = f
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return "", err
	}
	mu := u.folder.JoinPath(".file")
	req, err := http.NewRequestWithContext(ctx, "MOVE", mu.String(), nil)
	if err != nil {
		return "", u.t.transportError(ctx, err)
	}
	req.Header.Set("Destination", u.dest.String())
	req.Header.Set("OC-Total-Length", strconv.FormatInt(u.size, 10))
	u.c.setMeta(req.Header, u.meta)
	req.SetBasicAuth(u.c.user, u.c.pass)
	hc, x := u.c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return "", u.t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
		u.c.checkMtime(ctx, u.p, req.Header, resp.Header)
		return u.c.proof(resp.Header), nil
	case http.StatusLocked:
		u.c.logger.LogAttrs(ctx, slog.LevelDebug, "webdav: Nextcloud is assembling the chunks; waiting",
			slog.String("path", u.p))
		return "", u.waitAssembled(ctx, before)
	case http.StatusNotFound:
		// The folder is gone: assembled by a MOVE whose answer was lost,
		// or expired.
		if _, there := u.there(ctx, before); there {
			return "", nil
		}
		return "", &domain.Error{
			Code: domain.EUNAVAILABLE, Message: "the server dropped the upload folder of " + u.p + " before assembling it",
			Remote: true, Err: u.t.statusError("MOVE", mu.Redacted(), resp.StatusCode, resp.Header),
		}
	case http.StatusConflict:
		return "", &domain.Error{
			Code: domain.ENOTFOUND, Message: "the folder " + path.Dir(u.p) + " does not exist", Remote: true,
			Err: u.t.statusError("MOVE", mu.Redacted(), resp.StatusCode, resp.Header),
		}
	}
	serr := u.t.statusError("MOVE", mu.Redacted(), resp.StatusCode, resp.Header)
	if nerr := u.c.nameTooLong(u.p, resp.StatusCode, serr); nerr != nil {
		return "", nerr
	}
	return "", serr
}

// chunkBody is one chunk's request body. After stop it reads nothing
// more, so that the transport, which may still hold a body after the
// answer, never reads from the file once the next chunk is being read. It
// counts what it reads and takes its CRC-32C, the fingerprint of the
// bytes sent.
type chunkBody struct {
	mu      sync.Mutex
	r       io.Reader
	n       int64
	crc     uint32
	stopped bool
}

var errChunkEnded = errors.New("upload: read after the chunk's request ended")

func (b *chunkBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, errChunkEnded
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	b.crc = crc32.Update(b.crc, castagnoli, p[:n])
	return n, err
}

// Close does nothing: the caller owns the file.
func (b *chunkBody) Close() error { return nil }

// stop ends reading, and returns how many bytes were read and their
// CRC-32C.
func (b *chunkBody) stop() (int64, uint32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	return b.n, b.crc
}
