package webdav

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/photosync/photosync/domain"
)

// isNextcloud reports whether the client talks to Nextcloud, and so may
// use its extensions of WebDAV.
func (c *Client) isNextcloud() bool { return c.typ == domain.TypeNextcloud }

// setMeta adds to an upload's request (a PUT, or the final MOVE of a
// chunked upload) what Nextcloud keeps beside the bytes: the modification
// time (X-OC-Mtime, in Unix seconds) and the SHA-1 (OC-Checksum). Nextcloud
// stores the checksum without checking it. Other servers get neither.
func (c *Client) setMeta(h http.Header, meta domain.UploadMeta) {
	if !c.isNextcloud() {
		return
	}
	if !meta.ModTime.IsZero() {
		h.Set("X-OC-Mtime", strconv.FormatInt(meta.ModTime.Unix(), 10))
	}
	if sum := sha1Checksum("SHA1:" + meta.SHA1); sum != "" {
		h.Set("OC-Checksum", sum)
	}
}

// checkMtime logs a warning when Nextcloud did not confirm that it set the
// modification time it was sent (X-OC-MTime: accepted): the file is
// stored, with the time of the upload.
func (c *Client) checkMtime(ctx context.Context, p string, sent, answer http.Header) {
	if sent.Get("X-OC-Mtime") == "" || strings.EqualFold(strings.TrimSpace(answer.Get("X-OC-MTime")), "accepted") {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: Nextcloud did not accept the modification time of an upload",
		slog.String("path", p), slog.String("mtime", sent.Get("X-OC-Mtime")))
}
