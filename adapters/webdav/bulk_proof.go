package webdav

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// This file proves what Nextcloud stored for a file sent without a hash
// of the stored bytes in the answer (a file of a bulk upload): Nextcloud's
// ChecksumUpdatePlugin (apps/dav, on remote.php/dav and remote.php/webdav,
// Nextcloud 23 and later, "nextcloud-checksum-update" in the DAV header)
// answers PATCH <file> with "X-Recalculate-Hash: sha1" by hashing the file
// as its storage holds it (File::hash, hash_file on a local disk) and
// answering 204 with "OC-Checksum: SHA1:<hex>", which it also stores as
// the file's checksum. One small request proves the stored bytes without
// reading them back. See docs/nextcloud-model.md.

var _ ports.StoredHasher = (*Client)(nil)

// StoredSHA1 asks Nextcloud to hash the file at p as it stores it and
// answers the SHA-1 (lower-case hex). EINVALID (not Remote) for a server
// that is not Nextcloud; a server without the plugin answers an error
// (Sabre's 501), and the caller reads the file back instead.
func (c *Client) StoredSHA1(ctx context.Context, p string) (string, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return "", err
	}
	if !c.isNextcloud() {
		return "", domain.Errorf(domain.EINVALID, "only Nextcloud hashes a stored file on request")
	}
	t := c.target("check", p)
	u := c.url(p)
	req, err := http.NewRequestWithContext(ctx, "PATCH", u.String(), nil)
	if err != nil {
		return "", t.transportError(ctx, err)
	}
	req.Header.Set("X-Recalculate-Hash", "sha1")
	req.SetBasicAuth(c.user, c.pass)
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return "", t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return "", t.statusError("PATCH", u.Redacted(), resp.StatusCode, resp.Header)
	}
	algo, sum, _ := strings.Cut(strings.TrimSpace(resp.Header.Get("OC-Checksum")), ":")
	sum = strings.ToLower(sum)
	if b, err := hex.DecodeString(sum); !strings.EqualFold(algo, "SHA1") || err != nil || len(b) != sha1.Size {
		return "", domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered no SHA-1 of %s to PATCH X-Recalculate-Hash", p)
	}
	return sum, nil
}
