package davtest

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file imitates Nextcloud's chunked upload v2 as its developer manual
// ("Chunked file upload") describes it: upload folders below
// remote.php/dav/uploads/<user id>/, made by MKCOL with a Destination
// header; chunks PUT into them, named by numbers from 1 to 10000, each with
// the same Destination (and, to have the quota checked before the bytes,
// OC-Total-Length); PROPFIND to list what an interrupted upload left; the
// final MOVE of <folder>/.file, which assembles the chunks in the order of
// their numbers into the destination; DELETE to abort. Folders untouched
// for 24 hours expire. As on the real server (apps/dav UploadFolder), every
// upload folder lists a virtual .file entry, and deleting that .file
// (FutureFile::delete) deletes the whole upload folder. Deliberate differences from real Nextcloud: an
// upload folder must have a Destination (no chunking v1), and every chunk
// but the last must hold at least 5 MiB, which real Nextcloud enforces
// only on object storage.

// minChunk is the smallest chunk but the last that assembly accepts.
const minChunk = 5 << 20

// uploadState is the user's upload folders: the chunks on disk below dir,
// one folder per upload, and what Nextcloud keeps about each.
type uploadState struct {
	dir    string
	noCron bool // background jobs do not run: nothing expires

	mu      sync.Mutex
	folders map[string]*uploadFolder // by name
}

// uploadFolder is one upload in progress.
type uploadFolder struct {
	dest       string // where the file goes, relative to the user's files
	touched    time.Time
	assembling *assembly // non-nil once a MOVE started assembling
}

// assembly is a final MOVE answered 423 until polls more requests came.
type assembly struct {
	polls int
	meta  uploadMeta
}

// uploadTarget is what a request below remote.php/dav/uploads/ names.
type uploadTarget struct {
	user  string
	id    string // the upload folder, "" for the user's uploads home
	chunk string // a chunk or ".file", "" for the folder itself
}

// chunkingRoutes adds the upload folders' route, and the middleware that
// counts requests about a file being assembled (see WithAssemblyDelay).
func (n *Nextcloud) chunkingRoutes(mux *http.ServeMux) {
	n.uploads = &uploadState{dir: filepath.Join(n.staging, "uploads"), folders: map[string]*uploadFolder{}, noCron: n.cfg.noCron}
	_ = os.MkdirAll(n.uploads.dir, 0o755)
	mux.Handle(n.cfg.basePath+"/remote.php/dav/uploads/", n.requireDAVAuth(n.handleUploads()))
	n.cfg.middleware = append(n.cfg.middleware, n.assemblyGate)
}

// UploadFolders answers the names of the upload folders the server keeps
// (those not expired), sorted, so a test can check that an upload left
// none behind, or one to resume from.
func (n *Nextcloud) UploadFolders() []string {
	n.uploads.expire(n.cfg.now())
	n.uploads.mu.Lock()
	defer n.uploads.mu.Unlock()
	var ids []string
	for id := range n.uploads.folders {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// expire removes the folders untouched for 24 hours, as Nextcloud's
// background job does.
func (s *uploadState) expire(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noCron {
		return
	}
	for id, f := range s.folders {
		if f.assembling == nil && now.Sub(f.touched) > uploadExpiry {
			_ = os.RemoveAll(filepath.Join(s.dir, id))
			delete(s.folders, id)
		}
	}
}

// folder answers the upload folder id (nil when there is none), whether a
// MOVE is assembling it, and when it was last touched, read together under
// the lock: chunks PUT at the same time as others, or as a listing or the
// MOVE, change them.
func (s *uploadState) folder(id string) (f *uploadFolder, assembling bool, touched time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f = s.folders[id]
	if f == nil {
		return nil, false, time.Time{}
	}
	return f, f.assembling != nil, f.touched
}

// handleUploads serves the WebDAV methods on the user's upload folders.
func (n *Nextcloud) handleUploads() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, derr := n.uploadTarget(r)
		if derr != nil {
			derr.write(w)
			return
		}
		n.uploads.expire(n.cfg.now())
		switch r.Method {
		case http.MethodOptions:
			n.davOptions(w)
		case "MKCOL":
			n.uploadMkcol(w, r, u)
		case http.MethodPut:
			n.uploadPut(w, r, u)
		case "PROPFIND":
			n.uploadPropfind(w, r, u)
		case "MOVE":
			n.uploadMove(w, r, u)
		case http.MethodDelete:
			n.uploadDelete(w, u)
		case http.MethodGet, http.MethodHead:
			forbidden("Chunks cannot be downloaded from the upload directory").write(w)
		default:
			notImplemented(r.Method).write(w)
		}
	})
}

// uploadTarget reads the user, folder and chunk a request names.
func (n *Nextcloud) uploadTarget(r *http.Request) (uploadTarget, *davError) {
	rest := strings.TrimPrefix(r.URL.Path, n.cfg.basePath+"/remote.php/dav/uploads/")
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	var u uploadTarget
	switch len(parts) {
	case 3:
		u.chunk = parts[2]
		fallthrough
	case 2:
		u.id = parts[1]
		fallthrough
	case 1:
		u.user = parts[0]
	default:
		return u, notFound("File with name " + rest + " could not be located")
	}
	if u.user != loggedInUser(r) {
		return u, notFound("Principal with name " + u.user + " not found")
	}
	for _, p := range []string{u.id, u.chunk} {
		if p == "." || p == ".." || (p == "" && u.chunk != "") {
			return u, notFound("File with name " + rest + " could not be located")
		}
	}
	return u, nil
}

// destination reads the Destination header of a chunked upload: a URL of
// a file in the user's files, answered as its path relative to them.
func (n *Nextcloud) destination(r *http.Request) (string, *davError) {
	d := r.Header.Get("Destination")
	if d == "" {
		return "", davErrorf(http.StatusBadRequest, "BadRequest",
			"Chunked upload v2 needs a Destination header on MKCOL, on each chunk PUT and on the final MOVE")
	}
	u, err := url.Parse(d)
	if err != nil {
		return "", davErrorf(http.StatusBadRequest, "BadRequest", "The destination header is not a URL")
	}
	t, derr := n.resolve(filesRoot, u.Path, loggedInUser(r))
	if derr != nil {
		return "", derr
	}
	if t.rel == "" {
		return "", forbidden("The home folder cannot be replaced by an upload")
	}
	return t.rel, nil
}

// sameDestination answers 400 unless the request's Destination is the
// upload folder's.
func (n *Nextcloud) sameDestination(r *http.Request, f *uploadFolder) *davError {
	dest, derr := n.destination(r)
	if derr != nil {
		return derr
	}
	if dest != f.dest {
		return davErrorf(http.StatusBadRequest, "BadRequest", "The Destination header does not match the upload's: /"+dest+" is not /"+f.dest)
	}
	return nil
}

// uploadMkcol creates an upload folder for the file its Destination names.
func (n *Nextcloud) uploadMkcol(w http.ResponseWriter, r *http.Request, u uploadTarget) {
	if u.id == "" || u.chunk != "" {
		davErrorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "Upload folders are made directly in the uploads home").write(w)
		return
	}
	dest, derr := n.destination(r)
	if derr != nil {
		derr.write(w)
		return
	}
	s := n.uploads
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.folders[u.id] != nil {
		davErrorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The resource you tried to create already exists").write(w)
		return
	}
	if err := os.Mkdir(filepath.Join(s.dir, u.id), 0o755); err != nil {
		internalError(err).write(w)
		return
	}
	s.folders[u.id] = &uploadFolder{dest: dest, touched: n.cfg.now()}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// chunkNumber reads a chunk's name: a number from 1 to 10000.
func chunkNumber(name string) (int, bool) {
	if name == "" || strings.Trim(name, "0123456789") != "" {
		return 0, false
	}
	i, err := strconv.Atoi(name)
	return i, err == nil && i >= 1 && i <= 10000
}

// uploadPut stores a chunk.
func (n *Nextcloud) uploadPut(w http.ResponseWriter, r *http.Request, u uploadTarget) {
	if u.chunk == "" {
		conflict("PUT is not allowed on non-files.").write(w)
		return
	}
	if _, ok := chunkNumber(u.chunk); !ok {
		davErrorf(http.StatusBadRequest, "BadRequest", "Invalid chunk name, must be numeric between 1 and 10000").write(w)
		return
	}
	f, assembling, _ := n.uploads.folder(u.id)
	if f == nil {
		notFound("File with name uploads/" + u.id + " could not be located").write(w)
		return
	}
	if assembling {
		fileLocked(u.id).write(w)
		return
	}
	if derr := n.sameDestination(r, f); derr != nil {
		derr.write(w)
		return
	}
	if r.ContentLength < 0 {
		davErrorf(http.StatusLengthRequired, "LengthRequired", "A chunk needs a Content-Length").write(w)
		return
	}
	if v := r.Header.Get("OC-Total-Length"); v != "" {
		total, err := strconv.ParseInt(v, 10, 64)
		if err != nil || total < 0 {
			davErrorf(http.StatusBadRequest, "BadRequest", "OC-Total-Length is not a size").write(w)
			return
		}
		if derr := n.fits(f.dest, total); derr != nil {
			derr.write(w)
			return
		}
	}
	s := n.uploads
	tmp, err := os.CreateTemp(s.dir, ".chunk-*")
	if err != nil {
		internalError(err).write(w)
		return
	}
	defer os.Remove(tmp.Name())
	got, err := io.Copy(tmp, r.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && got != r.ContentLength {
		err = errors.New("short body")
	}
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", "Expected filesize of "+strconv.FormatInt(r.ContentLength, 10)+
			" bytes but read (from Nextcloud client) and wrote (to Nextcloud storage) "+strconv.FormatInt(got, 10)+" bytes.").write(w)
		return
	}
	// Chunks are received side by side (clients send several at once);
	// each is stored under the lock, unless its folder went or is being
	// assembled meanwhile.
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.folders[u.id] != f {
		notFound("File with name uploads/" + u.id + " could not be located").write(w)
		return
	}
	if f.assembling != nil {
		fileLocked(u.id).write(w)
		return
	}
	target := filepath.Join(s.dir, u.id, u.chunk)
	_, statErr := os.Stat(target)
	if err := os.Rename(tmp.Name(), target); err != nil {
		internalError(err).write(w)
		return
	}
	f.touched = n.cfg.now()
	w.Header().Set("ETag", quote(chunkETag(got, f.touched)))
	w.Header().Set("Content-Length", "0")
	if statErr == nil {
		w.WriteHeader(http.StatusNoContent)
	} else {
		w.WriteHeader(http.StatusCreated)
	}
}

// uploadDelete aborts an upload, or removes one chunk.
func (n *Nextcloud) uploadDelete(w http.ResponseWriter, u uploadTarget) {
	s := n.uploads
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.folders[u.id]
	switch {
	case u.id == "":
		forbidden("The uploads home cannot be deleted").write(w)
		return
	case f == nil:
		notFound("File with name uploads/" + u.id + " could not be located").write(w)
		return
	case f.assembling != nil:
		fileLocked(u.id).write(w)
		return
	case u.chunk == ".file":
		// FutureFile::delete deletes the folder it stands for: the whole
		// upload.
		_ = os.RemoveAll(filepath.Join(s.dir, u.id))
		delete(s.folders, u.id)
	case u.chunk != "":
		if err := os.Remove(filepath.Join(s.dir, u.id, u.chunk)); err != nil {
			notFound("File with name uploads/" + u.id + "/" + u.chunk + " could not be located").write(w)
			return
		}
		f.touched = n.cfg.now()
	default:
		_ = os.RemoveAll(filepath.Join(s.dir, u.id))
		delete(s.folders, u.id)
	}
	w.WriteHeader(http.StatusNoContent)
}

// fileLocked is the 423 Nextcloud answers while an upload is assembled.
func fileLocked(name string) *davError {
	return &davError{status: http.StatusLocked, exception: `OCA\DAV\Connector\Sabre\Exception\FileLocked`,
		message: `"` + name + `" is locked`}
}

// chunkETag answers an ETag for a chunk.
func chunkETag(size int64, mod time.Time) string {
	return strconv.FormatInt(mod.UnixNano(), 16) + "-" + strconv.FormatInt(size, 16)
}
