package webdav

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
)

// This file handles the upload folder of a chunked upload: where it is,
// its name, what it holds when an upload resumes, and its removal.

// uploadsURL returns the folder of the account's chunked uploads,
// <base>/remote.php/dav/uploads/<user id>, for a Nextcloud endpoint
// <base>/remote.php/dav/files/<user id>/...; false for other servers and
// for the legacy remote.php/webdav endpoint, which does not name the user.
func (c *Client) uploadsURL() (*url.URL, bool) {
	if !c.isNextcloud() {
		return nil, false
	}
	const files = "/remote.php/dav/files/"
	ep := c.endpoint.EscapedPath()
	i := strings.Index(ep, files)
	if i < 0 {
		return nil, false
	}
	user, _, _ := strings.Cut(ep[i+len(files):], "/")
	if user == "" {
		return nil, false
	}
	raw := ep[:i] + "/remote.php/dav/uploads/" + user
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, false
	}
	u := *c.endpoint
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	u.Path, u.RawPath = p, raw
	return &u, true
}

// transferID names the upload folder of a file. With its SHA-1 known, the
// name follows from what is sent (destination, size, modification time,
// SHA-1, chunk size), so an interrupted upload finds its folder again;
// otherwise it is random, and the upload cannot resume.
func transferID(dest *url.URL, size int64, meta domain.UploadMeta, chunk int64, sum string) (string, bool) {
	if sum == "" {
		var b [16]byte
		rand.Read(b[:]) // crypto/rand: never fails
		return "photosync-" + hex.EncodeToString(b[:]), false
	}
	var mtime int64
	if !meta.ModTime.IsZero() {
		mtime = meta.ModTime.Unix()
	}
	h := sha256.New()
	fmt.Fprintf(h, "photosync chunked upload v2\x00%s\x00%d\x00%d\x00%s\x00%d", dest.String(), size, mtime, sum, chunk)
	return "photosync-" + hex.EncodeToString(h.Sum(nil))[:32], true
}

// prepare makes sure the upload folder exists and returns the chunks in it
// (chunk number to size). A folder left by an earlier try is resumed, its
// stray entries removed; when there is none and the file is on the server
// already (an earlier try was assembled, but its answer lost), it returns
// errAlreadyThere.
func (u *chunkedUpload) prepare(ctx context.Context) (map[int]int64, error) {
	if u.resumable {
		have, found, err := u.listChunks(ctx)
		if err != nil {
			return nil, err
		}
		if found {
			u.c.logger.LogAttrs(ctx, slog.LevelDebug, "webdav: resuming a chunked upload",
				slog.String("path", u.p), slog.Int("chunks", u.n), slog.Int("on server", len(have)))
			return have, nil
		}
		f, there := u.there(ctx, domain.RemoteFile{})
		if there {
			return nil, errAlreadyThere
		}
		u.before = &f
	}
	req, err := http.NewRequestWithContext(ctx, "MKCOL", u.folder.String(), nil)
	if err != nil {
		return nil, u.t.transportError(ctx, err)
	}
	req.Header.Set("Destination", u.dest.String())
	status, h, err := u.c.sendBodyless(ctx, req, u.t)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusCreated, status == http.StatusOK:
		return map[int]int64{}, nil
	case status == http.StatusMethodNotAllowed && u.resumable:
		// Made meanwhile by another try of the same upload.
		have, _, err := u.listChunks(ctx)
		return have, err
	case status == http.StatusNotFound, status == http.StatusNotImplemented:
		// No uploads endpoint (a server that only looks like Nextcloud).
		return nil, fmt.Errorf("%w: %w", errNoChunking, u.t.statusError("MKCOL", u.folder.Redacted(), status, h))
	}
	return nil, u.t.statusError("MKCOL", u.folder.Redacted(), status, h)
}

// listChunks lists the upload folder: the chunks of this upload by
// number, and whether the folder exists. Any other entry is left alone:
// Nextcloud lists a virtual .file in every upload folder (the assembled
// file, the source of the final MOVE), and deleting it deletes the whole
// upload folder (FutureFile::delete). An entry that is neither (a chunk of
// another size or numbering, which no upload of ours makes) would be
// assembled too: the MOVE's OC-Total-Length then fails the assembly, and
// the folder, which cannot make the file, is removed.
func (u *chunkedUpload) listChunks(ctx context.Context) (map[int]int64, bool, error) {
	have := map[int]int64{}
	var stray []string
	want := strings.TrimSuffix(u.folder.Path, "/")
	status, h, err := u.c.propfind(ctx, u.folder, "1", propsWebDAV, u.t, func(e davEntry) error {
		p, err := hrefPath(u.folder, e.href)
		if err != nil || !e.found() {
			return nil
		}
		name, inside := strings.CutPrefix(strings.TrimSuffix(p, "/"), want+"/")
		if !inside || !validName(name) || name == ".file" {
			return nil // the folder itself, Nextcloud's .file, or nothing of ours
		}
		i, err := strconv.Atoi(name)
		if err != nil || i < 1 || i > u.n || e.isDir || chunkName(i) != name {
			stray = append(stray, name)
			return nil
		}
		have[i] = e.size
		return nil
	})
	switch {
	case err != nil:
		return nil, false, err
	case status == http.StatusNotFound:
		return have, false, nil
	case status != http.StatusMultiStatus:
		return nil, false, u.t.statusError("PROPFIND", u.folder.Redacted(), status, h)
	}
	if len(stray) > 0 {
		u.c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: the upload folder holds entries that are not chunks of this upload; left alone",
			slog.String("path", u.p), slog.Any("entries", stray))
	}
	return have, true, nil
}

// there reports whether the file at the destination is the one being
// uploaded: its size and SHA-1, a modification time that is the one sent
// (when one is), and another ETag than before (when there was a file). It
// returns what it found there (nothing when there is no file).
func (u *chunkedUpload) there(ctx context.Context, before domain.RemoteFile) (domain.RemoteFile, bool) {
	if u.sum.IsZero() {
		return domain.RemoteFile{}, false
	}
	f, err := u.c.stat(ctx, u.p, u.t)
	return f, err == nil && u.is(f, before)
}

// is reports whether f is the file being uploaded; see there.
func (u *chunkedUpload) is(f domain.RemoteFile, before domain.RemoteFile) bool {
	switch {
	case f.IsDir || f.Size != u.size:
		return false
	case before.ETag != "" && f.ETag == before.ETag:
		return false
	case !u.sum.IsZero() && f.Checksum != u.sum:
		return false
	case sendsMtime(u.meta.ModTime) && !f.ModTime.IsZero() && !sameMtime(f.ModTime, u.meta.ModTime):
		return false
	}
	return true
}

// waitAssembled polls the destination, with a growing pause, until the
// assembled file is there or Options.AssemblyTimeout has passed.
func (u *chunkedUpload) waitAssembled(ctx context.Context, before domain.RemoteFile) error {
	deadline := time.Now().Add(u.c.opts.AssemblyTimeout)
	wait := 100 * time.Millisecond
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return u.t.transportError(ctx, ctx.Err())
		case <-t.C:
		}
		f, err := u.c.stat(ctx, u.p, u.t)
		switch code := domain.ErrorCode(err); {
		case err == nil && u.is(f, before):
			return nil
		case ctx.Err() != nil:
			return err
		case err == nil, code == domain.ENOTFOUND, code == domain.EUNAVAILABLE:
		default:
			return err
		}
		if time.Now().After(deadline) {
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server was still assembling %s after %s", u.p, seconds(u.c.opts.AssemblyTimeout))
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// abort deletes the upload folder, as the manual says to abort an
// upload. Best effort: it runs on for a while after ctx ends.
func (u *chunkedUpload) abort(ctx context.Context) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(dctx, http.MethodDelete, u.folder.String(), nil)
	if err != nil {
		return
	}
	status, _, err := u.c.sendBodyless(dctx, req, u.t)
	if err == nil && status >= 300 && status != http.StatusNotFound {
		err = fmt.Errorf("DELETE %s answered %s", u.folder.Redacted(), statusText(status))
	}
	if err != nil {
		u.c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: could not remove an abandoned upload folder",
			slog.String("path", u.p), slog.String("error", err.Error()))
	}
}

// sendBodyless sends a request without a body, with the credentials, and
// returns the answer's status and header; its body is read and dropped.
// Errors are failures to get an answer.
func (c *Client) sendBodyless(ctx context.Context, req *http.Request, t target) (int, http.Header, error) {
	req.SetBasicAuth(c.user, c.pass)
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, resp.Header, nil
}

// staleUpload is how long an upload folder of photosync's may lie
// untouched before a client removes it: Nextcloud's own cleanup job
// (CleanupService) removes it after 24 hours, but only where the server's
// background jobs run; the hour more leaves any folder the server would
// still keep alone.
const staleUpload = 25 * time.Hour

// removeStaleUploads deletes photosync's upload folders that nobody
// touched for longer than Nextcloud keeps them: interrupted uploads never
// resumed, on a server whose background jobs do not run. Once per client,
// at its first chunked upload; best effort, failures are logged.
func (c *Client) removeStaleUploads(ctx context.Context, up *url.URL, t target) {
	c.staleOnce.Do(func() {
		home := *up
		home.Path, home.RawPath = up.Path+"/", up.EscapedPath()+"/"
		want := strings.TrimSuffix(home.Path, "/")
		var stale []string
		now := time.Now()
		_, _, err := c.propfind(ctx, &home, "1", propsWebDAV, t, func(e davEntry) error {
			p, err := hrefPath(&home, e.href)
			if err != nil || !e.found() || !e.isDir {
				return nil
			}
			name, inside := strings.CutPrefix(strings.TrimSuffix(p, "/"), want+"/")
			if inside && validName(name) && strings.HasPrefix(name, "photosync-") && !e.modTime.IsZero() && now.Sub(e.modTime) > staleUpload {
				stale = append(stale, name)
			}
			return nil
		})
		if err != nil {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "webdav: could not list the upload folders", slog.String("error", err.Error()))
			return
		}
		for _, name := range stale {
			u := home.JoinPath(name)
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u.String()+"/", nil)
			if err != nil {
				return
			}
			if status, _, err := c.sendBodyless(ctx, req, t); err != nil || (status >= 300 && status != http.StatusNotFound) {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: could not remove an abandoned upload folder",
					slog.String("folder", name), slog.Int("status", status))
				continue
			}
			c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: removed an upload folder abandoned for more than a day", slog.String("folder", name))
		}
	})
}
