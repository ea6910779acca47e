package davtest

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file assembles a chunked upload (the final MOVE of .file) and lists
// upload folders (PROPFIND), for nextcloud_chunking.go.

// chunkFile is one chunk on disk.
type chunkFile struct {
	name string
	num  int
	size int64
	mod  time.Time
}

// chunks answers an upload folder's chunks in the order of their numbers.
func (s *uploadState) chunks(id string) ([]chunkFile, error) {
	des, err := os.ReadDir(filepath.Join(s.dir, id))
	if err != nil {
		return nil, err
	}
	var cs []chunkFile
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		num, _ := chunkNumber(de.Name())
		cs = append(cs, chunkFile{name: de.Name(), num: num, size: fi.Size(), mod: fi.ModTime()})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].num < cs[j].num })
	return cs, nil
}

// uploadMove assembles an upload's chunks into its destination: the MOVE
// of <folder>/.file, with Destination, and optionally OC-Total-Length (the
// size the chunks must sum up to), X-OC-Mtime and OC-Checksum.
func (n *Nextcloud) uploadMove(w http.ResponseWriter, r *http.Request, u uploadTarget) {
	if u.id == "" || u.chunk != ".file" {
		forbidden("Only the .file of an upload folder can be moved").write(w)
		return
	}
	s := n.uploads
	s.mu.Lock()
	f := s.folders[u.id]
	if f != nil && f.assembling != nil {
		// Another request is assembling this upload: this one is a poll.
		f.assembling.polls--
		done := f.assembling.polls <= 0
		if done {
			delete(s.folders, u.id)
		}
		s.mu.Unlock()
		if done {
			_, _, _, _ = n.assemble(u.id, f.dest, f.assembling.meta)
			notFound("File with name uploads/" + u.id + " could not be located").write(w)
			return
		}
		fileLocked(".file").write(w)
		return
	}
	s.mu.Unlock()
	if f == nil {
		notFound("File with name uploads/" + u.id + " could not be located").write(w)
		return
	}
	meta := readUploadMeta(r)
	derr := n.sameDestination(r, f)
	if derr == nil {
		derr = n.assemblable(r, u.id, f)
	}
	if derr != nil {
		derr.write(w)
		return
	}
	s.mu.Lock()
	if s.folders[u.id] != f || f.assembling != nil {
		s.mu.Unlock()
		fileLocked(".file").write(w)
		return
	}
	if n.cfg.assemblyPolls > 0 {
		f.assembling = &assembly{polls: n.cfg.assemblyPolls, meta: meta}
		s.mu.Unlock()
		fileLocked(".file").write(w)
		return
	}
	delete(s.folders, u.id)
	s.mu.Unlock()
	existed, e, hashes, derr := n.assemble(u.id, f.dest, meta)
	if derr != nil {
		derr.write(w)
		return
	}
	h := w.Header()
	// On local storage the MOVE of .file is a copy of the assembled
	// stream into the destination (Directory::moveInto declines a
	// FutureFile, so Sabre copies it with File::put), which answers
	// X-Hash like a PUT; an object store assembles by its own multipart
	// upload, without.
	if !n.cfg.objectStore {
		hashes.answer(h)
	}
	meta.answer(h, !meta.mtime.IsZero())
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

// assemblable answers why the upload cannot be assembled now, or nil: a
// chunk but the last smaller than 5 MiB, two chunks of one number, chunks
// that do not sum up to OC-Total-Length, a file that does not fit in the
// quota, or a destination whose folder is missing.
func (n *Nextcloud) assemblable(r *http.Request, id string, f *uploadFolder) *davError {
	cs, err := n.uploads.chunks(id)
	if err != nil {
		return internalError(err)
	}
	var sum int64
	for i, c := range cs {
		if i > 0 && c.num == cs[i-1].num {
			return davErrorf(http.StatusBadRequest, "BadRequest", "Two chunks are numbered "+strconv.Itoa(c.num))
		}
		if i < len(cs)-1 && c.size < minChunk {
			return davErrorf(http.StatusBadRequest, "BadRequest", "Chunk "+c.name+" holds "+strconv.FormatInt(c.size, 10)+
				" bytes: every chunk but the last must hold 5 MiB to 5 GiB")
		}
		sum += c.size
	}
	if v := r.Header.Get("OC-Total-Length"); v != "" {
		if total, err := strconv.ParseInt(v, 10, 64); err != nil || total != sum {
			return davErrorf(http.StatusBadRequest, "BadRequest",
				"Chunks on server do not sum up to "+v+" but to "+strconv.FormatInt(sum, 10)+" bytes")
		}
	}
	if derr := n.fits(f.dest, sum); derr != nil {
		return derr
	}
	if derr := partFileAllowed(f.dest); derr != nil {
		return derr
	}
	if fi, err := os.Stat(n.files.abs(parentRel(f.dest))); err != nil || !fi.IsDir() {
		return conflict("The destination node is not found")
	}
	if fi, err := os.Stat(n.files.abs(f.dest)); err == nil && fi.IsDir() {
		return conflict("A folder is at the destination")
	}
	return nil
}

// assemble writes an upload's chunks in order into its destination, with
// the meta data of the MOVE, and removes the upload folder. It answers
// whether a file was replaced, and the new file's entry.
func (n *Nextcloud) assemble(id, dest string, meta uploadMeta) (bool, entry, *hashSet, *davError) {
	dir := filepath.Join(n.uploads.dir, id)
	defer os.RemoveAll(dir)
	cs, err := n.uploads.chunks(id)
	if err != nil {
		return false, entry{}, nil, internalError(err)
	}
	tmp, err := os.CreateTemp(n.staging, "assembly-*")
	if err != nil {
		return false, entry{}, nil, internalError(err)
	}
	defer os.Remove(tmp.Name())
	hashes := newHashes(meta.hash)
	out := io.MultiWriter(tmp, hashes)
	for _, c := range cs {
		if err == nil {
			err = appendFile(out, filepath.Join(dir, c.name))
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, entry{}, nil, internalError(err)
	}
	_ = os.Chmod(tmp.Name(), 0o644)

	n.files.tree.Lock()
	defer n.files.tree.Unlock()
	if fi, err := os.Stat(n.files.abs(parentRel(dest))); err != nil || !fi.IsDir() {
		return false, entry{}, nil, conflict("The destination node is not found")
	}
	_, statErr := os.Stat(n.files.abs(dest))
	if err := os.Rename(tmp.Name(), n.files.abs(dest)); err != nil {
		return false, entry{}, nil, internalError(err)
	}
	meta.apply(n.files.abs(dest))
	n.files.changed(dest)
	n.files.setChecksum(dest, meta.checksum)
	e, err := n.files.stat(dest)
	if err != nil {
		return false, entry{}, nil, internalError(err)
	}
	return statErr == nil, e, hashes, nil
}

func appendFile(w io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// assemblyGate counts a request about a file being assembled (a PROPFIND,
// GET or HEAD of the destination on the files endpoint) as a poll, and
// assembles the file, before the request is served, at the last one.
func (n *Nextcloud) assemblyGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PROPFIND" || r.Method == http.MethodGet || r.Method == http.MethodHead {
			if t, derr := n.resolve(filesRoot, r.URL.Path, n.UserID); derr == nil {
				n.pollAssembly(t.rel)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// pollAssembly counts a poll of the uploads being assembled into rel.
func (n *Nextcloud) pollAssembly(rel string) {
	s := n.uploads
	s.mu.Lock()
	var done []string
	var folders []*uploadFolder
	for id, f := range s.folders {
		if f.assembling == nil || f.dest != rel {
			continue
		}
		if f.assembling.polls--; f.assembling.polls <= 0 {
			delete(s.folders, id)
			done, folders = append(done, id), append(folders, f)
		}
	}
	s.mu.Unlock()
	for i, id := range done {
		_, _, _, _ = n.assemble(id, folders[i].dest, folders[i].assembling.meta)
	}
}

// uploadPropfind lists the uploads home, an upload folder with its
// chunks, or one chunk, with the properties asked for among resourcetype,
// getcontentlength, getlastmodified and getetag.
func (n *Nextcloud) uploadPropfind(w http.ResponseWriter, r *http.Request, u uploadTarget) {
	depth := 1
	switch d := strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))); {
	case d == "0":
		depth = 0
	case (d == "infinity" || d == "") && !n.cfg.infinityAsOne:
		forbidden("PROPFIND with Depth: infinity (or without a Depth header) is not allowed here").write(w)
		return
	}
	props, err := parsePropfind(r.Body)
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", err.Error()).write(w)
		return
	}
	home := n.cfg.basePath + "/remote.php/dav/uploads/" + encodePath(u.user) + "/"
	s := n.uploads
	var items []listItem
	switch {
	case u.id == "":
		items = append(items, listItem{href: home, isDir: true, mod: n.cfg.now()})
		if depth > 0 {
			s.mu.Lock()
			for id, f := range s.folders {
				items = append(items, listItem{href: home + encodePath(id) + "/", isDir: true, mod: f.touched})
			}
			s.mu.Unlock()
		}
	default:
		f, _, touched := s.folder(u.id)
		cs, err := s.chunks(u.id)
		if f == nil || err != nil {
			notFound("File with name uploads/" + u.id + " could not be located").write(w)
			return
		}
		if u.chunk == "" {
			items = append(items, listItem{href: home + encodePath(u.id) + "/", isDir: true, mod: touched})
		}
		// Nextcloud lists the virtual .file (a FutureFile: the chunks
		// assembled, the target of the final MOVE) in every upload folder,
		// first, with the folder's time and the chunks' total size.
		if (u.chunk == "" && depth > 0) || u.chunk == ".file" {
			var total int64
			for _, c := range cs {
				total += c.size
			}
			items = append(items, listItem{href: home + encodePath(u.id) + "/.file", size: total, mod: touched})
		}
		for _, c := range cs {
			if (u.chunk == "" && depth > 0) || c.name == u.chunk {
				items = append(items, listItem{href: home + encodePath(u.id) + "/" + encodePath(c.name), size: c.size, mod: c.mod})
			}
		}
		if len(items) == 0 {
			notFound("File with name uploads/" + u.id + "/" + u.chunk + " could not be located").write(w)
			return
		}
	}
	sort.Slice(items[1:], func(i, j int) bool { return items[i+1].href < items[j+1].href })
	minimal := r.Header.Get("Brief") == "t" || strings.Contains(r.Header.Get("Prefer"), "return=minimal")
	var buf bytes.Buffer
	buf.WriteString("<?xml version=\"1.0\"?>\n<d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\" xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\">")
	for _, it := range items {
		it.write(&buf, props, minimal)
	}
	buf.WriteString("</d:multistatus>\n")
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(buf.Bytes())
}

// listItem is one entry of an upload folder listing.
type listItem struct {
	href  string
	isDir bool
	size  int64
	mod   time.Time
}

// write writes the item's d:response with the properties asked for (nil
// for Sabre's default ones), those it lacks under 404 unless minimal.
func (it listItem) write(buf *bytes.Buffer, props []xml.Name, minimal bool) {
	if props == nil {
		props = allFileProps
		if it.isDir {
			props = allFolderProps
		}
	}
	var found, missing bytes.Buffer
	for _, p := range props {
		v, ok := "", false
		switch p {
		case xml.Name{Space: nsDAV, Local: "resourcetype"}:
			v, ok = "", true
			if it.isDir {
				v = "<d:collection/>"
			}
		case xml.Name{Space: nsDAV, Local: "getcontentlength"}:
			v, ok = strconv.FormatInt(it.size, 10), !it.isDir
		case xml.Name{Space: nsDAV, Local: "getlastmodified"}:
			v, ok = it.mod.UTC().Format(http.TimeFormat), true
		case xml.Name{Space: nsDAV, Local: "getetag"}:
			v, ok = "&quot;"+chunkETag(it.size, it.mod)+"&quot;", true
		}
		if !ok {
			writeEmptyProp(&missing, p)
			continue
		}
		prefix := davPrefixes[p.Space]
		found.WriteString("<" + prefix + ":" + p.Local + ">" + v + "</" + prefix + ":" + p.Local + ">")
	}
	buf.WriteString("<d:response><d:href>" + it.href + "</d:href>")
	if found.Len() > 0 {
		buf.WriteString("<d:propstat><d:prop>")
		buf.Write(found.Bytes())
		buf.WriteString("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
	}
	if missing.Len() > 0 && !minimal {
		buf.WriteString("<d:propstat><d:prop>")
		buf.Write(missing.Bytes())
		buf.WriteString("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
	}
	buf.WriteString("</d:response>")
}
