package davtest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"os"
	"strings"
)

// This file imitates Nextcloud's checksum update (apps/dav
// Connector/Sabre/ChecksumUpdatePlugin, registered on remote.php/dav and
// remote.php/webdav, advertised as "nextcloud-checksum-update" in the DAV
// header): PATCH <file> with "X-Recalculate-Hash: <algo>" makes the server
// hash the file it stores (File::hash, the storage's hash_file: the bytes
// on its disk, not anything the client sent), store "<ALGO>:<hex>" as the
// file's checksum (replacing what was stored) and answer 204 with
// "OC-Checksum: <ALGO>:<hex>". The file's ETag stays. A PATCH without the
// header, or of a folder, is not handled (Sabre's 501).
//
// Simplification: an algorithm other than md5, sha1 and sha256 answers 400
// (Nextcloud 27 hands any name to PHP's hash_file, which fails with a 500
// for an unknown one; later versions answer 400).

// davPatch answers PATCH with X-Recalculate-Hash.
func (n *Nextcloud) davPatch(w http.ResponseWriter, r *http.Request, t davTarget) {
	algo := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Recalculate-Hash")))
	n.files.tree.RLock()
	e, err := n.files.stat(t.rel)
	if err != nil {
		n.files.tree.RUnlock()
		statError(err, t.rel).write(w)
		return
	}
	if algo == "" || e.isDir {
		n.files.tree.RUnlock()
		notImplemented(r.Method).write(w)
		return
	}
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	default:
		n.files.tree.RUnlock()
		davErrorf(http.StatusBadRequest, "BadRequest", "Unsupported hash algorithm: "+algo).write(w)
		return
	}
	f, err := os.Open(n.files.abs(t.rel))
	if err == nil {
		_, err = io.Copy(h, f)
		f.Close()
	}
	n.files.tree.RUnlock()
	if err != nil {
		davErrorf(http.StatusInternalServerError, "Exception", err.Error()).write(w)
		return
	}
	sum := strings.ToUpper(algo) + ":" + hex.EncodeToString(h.Sum(nil))
	n.files.setChecksum(t.rel, sum)
	w.Header().Set("OC-Checksum", sum)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
}
