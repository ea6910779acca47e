package davtest

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// davRoot names one of Nextcloud's two WebDAV endpoints for a user's files.
type davRoot int

const (
	filesRoot  davRoot = iota // remote.php/dav/files/{user id}/
	legacyRoot                // remote.php/webdav/, the user's files without the user id
)

// davTarget is what a DAV request's path names.
type davTarget struct {
	hrefBase string // the escaped path of the user's home on this endpoint, ending in "/"
	rel      string // the path in the user's files, "" for the home
}

// href answers the escaped path of an entry as Sabre writes it: lower-case
// percent escapes, folders ending in "/".
func (t davTarget) href(rel string, isDir bool) string {
	h := t.hrefBase + encodePath(rel)
	if isDir && rel != "" {
		h += "/"
	}
	return h
}

// resolve maps a URL path (unescaped) to the user's files. On the files
// endpoint another user's name is a principal that does not exist, as in a
// Nextcloud with one user.
func (n *Nextcloud) resolve(root davRoot, urlPath, userID string) (davTarget, *davError) {
	b := n.cfg.basePath
	switch root {
	case filesRoot:
		prefix := b + "/remote.php/dav/files/"
		rest, ok := strings.CutPrefix(urlPath, prefix)
		if !ok {
			return davTarget{}, forbidden("Requested uri (" + urlPath + ") is out of base uri (" + b + "/remote.php/dav/)")
		}
		user, sub, _ := strings.Cut(rest, "/")
		if user == "" {
			return davTarget{}, notFound("File with name files could not be located")
		}
		if user != userID {
			return davTarget{}, notFound("Principal with name " + user + " not found")
		}
		return davTarget{hrefBase: prefix + encodePath(user) + "/", rel: cleanRel(sub)}, nil
	default:
		prefix := b + "/remote.php/webdav"
		rest, ok := strings.CutPrefix(urlPath, prefix)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			return davTarget{}, forbidden("Requested uri (" + urlPath + ") is out of base uri (" + prefix + "/)")
		}
		return davTarget{hrefBase: prefix + "/", rel: cleanRel(rest)}, nil
	}
}

// handleDAV serves the WebDAV methods on one endpoint of the user's files.
func (n *Nextcloud) handleDAV(root davRoot) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, derr := n.resolve(root, r.URL.Path, loggedInUser(r))
		if derr != nil {
			derr.write(w)
			return
		}
		switch r.Method {
		case http.MethodOptions:
			n.davOptions(w)
		case "PROPFIND":
			n.davPropfind(w, r, t)
		case http.MethodGet, http.MethodHead:
			n.davGet(w, r, t)
		case http.MethodPut:
			n.davPut(w, r, t)
		case "MKCOL":
			n.davMkcol(w, t)
		case http.MethodDelete:
			n.davDelete(w, t)
		case "MOVE", "COPY":
			n.davMoveCopy(w, r, root, t)
		case "PATCH":
			n.davPatch(w, r, t) // nextcloud_patch.go
		default:
			notImplemented(r.Method).write(w)
		}
	})
}

// davOptions advertises the DAV classes and methods.
func (n *Nextcloud) davOptions(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Allow", "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT, MKCOL")
	h.Set("DAV", "1, 3, extended-mkcol, nextcloud-checksum-update")
	h.Set("MS-Author-Via", "DAV")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// davGet answers a file's content, with ranges and conditional requests.
func (n *Nextcloud) davGet(w http.ResponseWriter, r *http.Request, t davTarget) {
	n.files.tree.RLock()
	e, err := n.files.stat(t.rel)
	if err != nil {
		n.files.tree.RUnlock()
		statError(err, t.rel).write(w)
		return
	}
	if e.isDir {
		n.files.tree.RUnlock()
		notImplemented(r.Method).write(w)
		return
	}
	f, err := os.Open(n.files.abs(t.rel))
	n.files.tree.RUnlock()
	if err != nil {
		statError(err, t.rel).write(w)
		return
	}
	defer f.Close()
	name := path.Base(t.rel)
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("ETag", quote(e.etag))
	h.Set("OC-ETag", quote(e.etag))
	h.Set("OC-FileId", n.files.ocID(e.id))
	if e.checksum != "" {
		h.Set("OC-Checksum", e.checksum)
	}
	h.Set("Content-Disposition", contentDisposition(name))
	http.ServeContent(w, r, name, e.modTime, f)
}

// davPut stores a file. Like Nextcloud it writes the body aside first and
// refuses a body shorter than its Content-Length, so a broken upload never
// replaces a file.
func (n *Nextcloud) davPut(w http.ResponseWriter, r *http.Request, t davTarget) {
	want := r.ContentLength
	body := io.Reader(r.Body)
	if want < 0 {
		if !n.cfg.emptyChunkedPUT {
			davErrorf(http.StatusLengthRequired, "LengthRequired",
				"PUT without Content-Length: Nextcloud behind PHP-FPM would store an empty file").write(w)
			return
		}
		// PHP-FPM hands Nextcloud an empty body.
		_, _ = io.Copy(io.Discard, r.Body)
		want, body = 0, strings.NewReader("")
	}
	if derr := n.putAllowed(t.rel); derr != nil {
		derr.write(w)
		return
	}
	meta := readUploadMeta(r)
	if derr := n.fits(t.rel, want); derr != nil {
		derr.write(w)
		return
	}
	if derr := partFileAllowed(t.rel); derr != nil {
		_, _ = io.Copy(io.Discard, body)
		derr.write(w)
		return
	}
	tmp, err := os.CreateTemp(n.staging, "put-*")
	if err != nil {
		internalError(err).write(w)
		return
	}
	defer os.Remove(tmp.Name())
	hashes := newHashes(meta.hash)
	got, err := io.Copy(io.MultiWriter(tmp, hashes), body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && got != want {
		err = errors.New("short body")
	}
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", "Expected filesize of "+strconv.FormatInt(want, 10)+
			" bytes but read (from Nextcloud client) and wrote (to Nextcloud storage) "+strconv.FormatInt(got, 10)+
			" bytes. Could either be a network problem on the sending side or a problem writing to the storage on the server side.").write(w)
		return
	}
	_ = os.Chmod(tmp.Name(), 0o644)

	n.files.tree.Lock()
	if derr := n.putAllowed(t.rel); derr != nil {
		n.files.tree.Unlock()
		derr.write(w)
		return
	}
	_, statErr := os.Stat(n.files.abs(t.rel))
	existed := statErr == nil
	if err := os.Rename(tmp.Name(), n.files.abs(t.rel)); err != nil {
		n.files.tree.Unlock()
		internalError(err).write(w)
		return
	}
	mtimeSet := meta.apply(n.files.abs(t.rel))
	n.files.changed(t.rel)
	n.files.setChecksum(t.rel, meta.checksum)
	e, err := n.files.stat(t.rel)
	n.files.tree.Unlock()
	if err != nil {
		internalError(err).write(w)
		return
	}
	h := w.Header()
	hashes.answer(h)
	meta.answer(h, mtimeSet)
	if meta.mtimeErr != nil {
		meta.mtimeErr.write(w)
		return
	}
	h.Set("ETag", quote(e.etag))
	h.Set("OC-ETag", quote(e.etag))
	h.Set("OC-FileId", n.files.ocID(e.id))
	h.Set("Content-Length", "0")
	if existed {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
}

// putAllowed answers why a file may not be stored at rel, or nil.
func (n *Nextcloud) putAllowed(rel string) *davError {
	if fi, err := os.Stat(n.files.abs(rel)); rel == "" || (err == nil && fi.IsDir()) {
		return conflict("PUT is not allowed on non-files.")
	}
	if fi, err := os.Stat(n.files.abs(parentRel(rel))); err != nil || !fi.IsDir() {
		return conflict("Files cannot be created in non-existent collections")
	}
	return nil
}

// davMkcol creates a folder.
func (n *Nextcloud) davMkcol(w http.ResponseWriter, t davTarget) {
	if derr := nameAllowed(t.rel); derr != nil {
		derr.write(w)
		return
	}
	n.files.tree.Lock()
	defer n.files.tree.Unlock()
	if _, err := os.Stat(n.files.abs(t.rel)); t.rel == "" || err == nil {
		davErrorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The resource you tried to create already exists").write(w)
		return
	}
	if fi, err := os.Stat(n.files.abs(parentRel(t.rel))); err != nil || !fi.IsDir() {
		conflict("Parent node does not exist").write(w)
		return
	}
	if err := os.Mkdir(n.files.abs(t.rel), 0o755); err != nil {
		internalError(err).write(w)
		return
	}
	n.files.changed(t.rel)
	if e, err := n.files.stat(t.rel); err == nil {
		w.Header().Set("OC-FileId", n.files.ocID(e.id))
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// davDelete removes a file or a folder with everything in it.
func (n *Nextcloud) davDelete(w http.ResponseWriter, t davTarget) {
	n.files.tree.Lock()
	defer n.files.tree.Unlock()
	if t.rel == "" {
		forbidden("Permission denied to delete the home folder").write(w)
		return
	}
	if _, err := os.Stat(n.files.abs(t.rel)); err != nil {
		statError(err, t.rel).write(w)
		return
	}
	if err := os.RemoveAll(n.files.abs(t.rel)); err != nil {
		internalError(err).write(w)
		return
	}
	n.files.removed(t.rel)
	w.WriteHeader(http.StatusNoContent)
}

// statError turns a failed look-up of rel into Sabre's answer.
func statError(err error, rel string) *davError {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return notFound("File with name /" + rel + " could not be located")
	}
	return internalError(err)
}
