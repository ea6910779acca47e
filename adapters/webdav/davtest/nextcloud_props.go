package davtest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
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

// WithoutBackgroundJobs imitates a server whose background jobs do not run
// (cron not set up, or "AJAX" cron on a server nobody opens in a browser):
// upload folders never expire (CleanupService's job never runs).
func WithoutBackgroundJobs() NextcloudOption {
	return func(c *nextcloudConfig) { c.noCron = true }
}

// uploadExpiry is how long Nextcloud keeps an upload folder untouched.
const uploadExpiry = 24 * time.Hour

// quotaState is the user's quota and the answer Nextcloud keeps for the
// home folder: OC_Helper::getStorageInfo caches the storage info of a
// path in the local memory cache ("storage_info") for 5 minutes, and
// nothing but a quota change through the same PHP process clears it. Real
// servers were seen answering the home folder's quota-available-bytes from
// it while its subfolders, asked for the first time, answered the current
// value; that is what is modelled: the home folder's answer is kept for 5
// minutes of the server's clock (WithClock), every other folder's is
// current.
type quotaState struct {
	mu       sync.Mutex
	limit    int64 // bytes; < 0 for no quota
	rootFree string
	rootAt   time.Time
}

// SetQuota changes the user's quota, as an administrator does with occ:
// uploads are refused by the new quota at once, but the home folder's
// quota-available-bytes is answered from Nextcloud's 5-minute cache until
// it expires.
func (n *Nextcloud) SetQuota(bytes int64) {
	n.quota.mu.Lock()
	defer n.quota.mu.Unlock()
	n.quota.limit = max(bytes, 0)
}

// freeSpace answers the bytes the user may still store, and false when
// there is no quota.
func (n *Nextcloud) freeSpace() (int64, bool) {
	n.quota.mu.Lock()
	limit := n.quota.limit
	n.quota.mu.Unlock()
	if limit < 0 {
		return 0, false
	}
	return max(limit-n.files.treeSize(""), 0), true
}

// quotaAvailable answers quota-available-bytes of the folder rel: the
// free space, or -3 (unlimited); for the home folder, from the cache.
func (n *Nextcloud) quotaAvailable(rel string) string {
	now := n.cfg.now()
	if rel == "" {
		n.quota.mu.Lock()
		if n.quota.rootFree != "" && now.Sub(n.quota.rootAt) < storageInfoTTL {
			v := n.quota.rootFree
			n.quota.mu.Unlock()
			return v
		}
		n.quota.mu.Unlock()
	}
	v := "-3"
	if free, ok := n.freeSpace(); ok {
		v = strconv.FormatInt(free, 10)
	}
	if rel == "" {
		n.quota.mu.Lock()
		n.quota.rootFree, n.quota.rootAt = v, now
		n.quota.mu.Unlock()
	}
	return v
}

// storageInfoTTL is how long Nextcloud caches a folder's storage info.
const storageInfoTTL = 5 * time.Minute

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
	mtime    time.Time // zero when not sent or refused
	checksum string    // OC-Checksum as sent, trimmed; "" when not sent
	hash     string    // X-Hash as sent: md5, sha1, sha256 or all; "" when not sent
	// mtimeErr is the 400 Nextcloud answers for an X-OC-Mtime it refuses
	// (MtimeSanitizer: not a decimal number, or 86400 or less), which it
	// finds only after the file is written: the file is stored all the
	// same, with the time of the upload.
	mtimeErr *davError
}

// readUploadMeta reads X-OC-Mtime, OC-Checksum and X-Hash.
func readUploadMeta(r *http.Request) uploadMeta {
	var m uploadMeta
	if v := r.Header.Get("X-OC-Mtime"); v != "" {
		m.mtime, m.mtimeErr = sanitizeMtime(v)
	}
	m.checksum = strings.TrimSpace(r.Header.Get("OC-Checksum"))
	m.hash = strings.ToLower(strings.TrimSpace(r.Header.Get("X-Hash")))
	return m
}

// sanitizeMtime reads a modification time as Nextcloud's MtimeSanitizer
// does: a number (no hexadecimal) of seconds, truncated to whole ones,
// above 86400 (one day after the epoch, "timezone-proof").
func sanitizeMtime(v string) (time.Time, *davError) {
	t := strings.TrimSpace(v)
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || strings.HasPrefix(strings.ToLower(t), "0x") || math.IsInf(f, 0) || math.IsNaN(f) {
		return time.Time{}, davErrorf(http.StatusBadRequest, "BadRequest", "X-OC-MTime header must be an integer (unix timestamp).")
	}
	if f <= 24*60*60 {
		return time.Time{}, davErrorf(http.StatusBadRequest, "BadRequest", "X-OC-MTime header must be a valid positive integer")
	}
	return time.Unix(int64(f), 0), nil
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

// hashSet computes the hashes an upload asked for with X-Hash (File::put
// wraps the stream it writes in a HashWrapper per algorithm) from the
// bytes written, and answers them as X-Hash-MD5, X-Hash-SHA1 and
// X-Hash-SHA256.
type hashSet struct {
	names []string
	hs    []hash.Hash
}

// newHashes answers the hashes X-Hash asks for: md5, sha1, sha256 or all;
// none for another value.
func newHashes(want string) *hashSet {
	s := &hashSet{}
	add := func(name string, h hash.Hash) {
		if want == "all" || want == strings.ToLower(strings.TrimPrefix(name, "X-Hash-")) {
			s.names, s.hs = append(s.names, name), append(s.hs, h)
		}
	}
	add("X-Hash-MD5", md5.New())
	add("X-Hash-SHA1", sha1.New())
	add("X-Hash-SHA256", sha256.New())
	return s
}

func (s *hashSet) Write(p []byte) (int, error) {
	for _, h := range s.hs {
		h.Write(p)
	}
	return len(p), nil
}

// answer sets the headers of the hashes computed.
func (s *hashSet) answer(h http.Header) {
	if s == nil {
		return
	}
	for i, name := range s.names {
		h.Set(name, hex.EncodeToString(s.hs[i].Sum(nil)))
	}
}
