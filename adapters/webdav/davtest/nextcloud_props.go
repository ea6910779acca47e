package davtest

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file holds what Nextcloud keeps beside a file's bytes and how it
// answers for it, as its developer manual ("Basic APIs") describes: the
// OC-Checksum a client sends, stored unverified and answered in
// oc:checksums and on GET; X-OC-Mtime, applied and confirmed with
// "X-OC-MTime: accepted"; and the user's quota, in quota-available-bytes
// and as 507 Insufficient Storage for what does not fit.

// WithQuota gives the user a quota of bytes for their files: PROPFIND
// answers quota-available-bytes (the quota less the files' size, never
// below 0), and a PUT, a chunk PUT (by its OC-Total-Length) or the final
// MOVE of a chunked upload that does not fit is refused with 507
// Insufficient Storage. Without it the quota is unlimited (-3).
func WithQuota(bytes int64) NextcloudOption {
	return func(c *nextcloudConfig) { c.quota = max(bytes, 0) }
}

// WithAssemblyDelay makes the final MOVE of a chunked upload answer 423
// Locked, as Nextcloud answers a MOVE while another request is still
// assembling the same upload, and assemble the file only after polls
// further requests about it (a PROPFIND or GET of the destination, or the
// MOVE again): until then the destination shows what was there before.
func WithAssemblyDelay(polls int) NextcloudOption {
	return func(c *nextcloudConfig) { c.assemblyPolls = max(polls, 0) }
}

// WithClock sets the clock by which upload folders expire after 24 hours
// of inactivity, so a test can move time on.
func WithClock(now func() time.Time) NextcloudOption {
	return func(c *nextcloudConfig) { c.now = now }
}

// uploadExpiry is how long Nextcloud keeps an upload folder untouched.
const uploadExpiry = 24 * time.Hour

// freeSpace answers the bytes the user may still store, and false when
// there is no quota.
func (n *Nextcloud) freeSpace() (int64, bool) {
	if n.cfg.quota < 0 {
		return 0, false
	}
	return max(n.cfg.quota-n.files.treeSize(""), 0), true
}

// quotaAvailable answers quota-available-bytes: the free space, or -3
// (unlimited).
func (n *Nextcloud) quotaAvailable() string {
	free, ok := n.freeSpace()
	if !ok {
		return "-3"
	}
	return strconv.FormatInt(free, 10)
}

// fits answers 507 as Nextcloud's quota plugin does when size bytes
// written to rel, replacing what is there, do not fit; nil when they do.
func (n *Nextcloud) fits(rel string, size int64) *davError {
	free, ok := n.freeSpace()
	if !ok {
		return nil
	}
	if fi, err := os.Stat(n.files.abs(rel)); err == nil && !fi.IsDir() {
		size -= fi.Size()
	}
	if size <= free {
		return nil
	}
	return davErrorf(http.StatusInsufficientStorage, "InsufficientStorage",
		"Insufficient space in /"+rel+", "+strconv.FormatInt(size, 10)+" required, "+strconv.FormatInt(free, 10)+" available")
}

// uploadMeta is what an upload's request says beside the bytes.
type uploadMeta struct {
	mtime    time.Time // zero when not sent
	checksum string    // OC-Checksum as sent, trimmed; "" when not sent
}

// readUploadMeta reads X-OC-Mtime and OC-Checksum, answering 400 as
// Nextcloud does for a modification time that is not a number.
func readUploadMeta(r *http.Request) (uploadMeta, *davError) {
	var m uploadMeta
	if v := strings.TrimSpace(r.Header.Get("X-OC-Mtime")); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return m, davErrorf(http.StatusBadRequest, "BadRequest", "X-OC-MTime header must be an integer (unix timestamp).")
		}
		m.mtime = time.Unix(sec, 0)
	}
	m.checksum = strings.TrimSpace(r.Header.Get("OC-Checksum"))
	return m, nil
}

// apply sets the modification time of the file at abs, before the file
// state records it. It answers whether it did.
func (m uploadMeta) apply(abs string) bool {
	return !m.mtime.IsZero() && os.Chtimes(abs, m.mtime, m.mtime) == nil
}

// answer adds the headers that confirm the meta data to an upload's
// answer.
func (m uploadMeta) answer(h http.Header, applied bool) {
	if applied {
		h.Set("X-OC-MTime", "accepted")
	}
}

// setChecksum stores the checksum sent with rel's content; "" clears it.
func (s *fileState) setChecksum(rel, checksum string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if nd := s.nodes[rel]; nd != nil {
		nd.checksum = checksum
	}
}

// checksumsProp answers oc:checksums as Sabre writes it: one oc:checksum
// element per "ALGO:hex" stored; false when none is.
func checksumsProp(e entry) (string, bool) {
	if e.isDir || e.checksum == "" {
		return "", false
	}
	var b strings.Builder
	for _, c := range strings.Fields(e.checksum) {
		b.WriteString("<oc:checksum>" + xmlText(c) + "</oc:checksum>")
	}
	return b.String(), true
}

// Checksum answers the checksum the server stores for name, a
// slash-separated path in the user's files ("" when none), so a test can
// check what an upload told it.
func (n *Nextcloud) Checksum(t testing.TB, name string) string {
	t.Helper()
	e, err := n.files.stat(cleanRel(name))
	if err != nil {
		t.Fatalf("davtest: %v", err)
	}
	return e.checksum
}
