package webdav

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
)

// isNextcloud reports whether the client talks to Nextcloud, and so may
// use its extensions of WebDAV.
func (c *Client) isNextcloud() bool { return c.typ == domain.TypeNextcloud }

// setMeta adds to an upload's request (a PUT, or the final MOVE of a
// chunked upload) what Nextcloud keeps beside the bytes: the modification
// time (X-OC-Mtime, in Unix seconds) and the SHA-1 (OC-Checksum). Nextcloud
// stores the checksum without checking it. Other servers get neither. A
// time of a day after the epoch or earlier is not sent: Nextcloud refuses
// it (MtimeSanitizer) after storing the file, with a 400 that would fail
// an upload that worked; the file gets the time of the upload.
func (c *Client) setMeta(h http.Header, meta domain.UploadMeta) {
	if !c.isNextcloud() {
		return
	}
	if sendsMtime(meta.ModTime) {
		h.Set("X-OC-Mtime", strconv.FormatInt(meta.ModTime.Unix(), 10))
	}
	if sum, err := domain.NewChecksum(domain.AlgoSHA1, meta.SHA1); err == nil && !sum.IsZero() {
		h.Set("OC-Checksum", ocChecksum(sum))
	}
	// Nextcloud hashes what it writes and answers X-Hash-SHA1: the proof
	// of what it stored (see UploadProven).
	h.Set("X-Hash", "sha1")
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

// minMtime is the earliest modification time Nextcloud takes: it refuses
// 86400 (a day after the epoch, "timezone-proof") and less.
const minMtime = 24 * 60 * 60

// sendsMtime reports whether X-OC-Mtime is sent for t.
func sendsMtime(t time.Time) bool { return !t.IsZero() && t.Unix() > minMtime }

// sameMtime reports whether a time Nextcloud answers is the one sent:
// it stores whole seconds, so within a second.
func sameMtime(stored, sent time.Time) bool {
	d := stored.Sub(sent)
	return d > -time.Second && d < time.Second
}
