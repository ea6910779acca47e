package davtest

import (
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fileState is what Nextcloud keeps in its file cache: an id and an ETag per
// file and folder. As in Nextcloud, a change to a file gives it and every
// folder above it a new ETag (propagation), so a client can skip a folder
// whose ETag it has seen; ids survive a move.
//
// tree serialises changes to the files on disk against listings: handlers
// that change the tree hold it for writing, those that read it for reading.
type fileState struct {
	root       string
	instanceID string // like Nextcloud's instanceid, the suffix of oc:id
	epoch      int64  // the first part of every ETag, as in PHP's uniqid

	tree sync.RWMutex

	mu     sync.Mutex // guards the fields below
	seq    uint64
	nextID int64
	nodes  map[string]*node // by path relative to root, "" for root
}

// node is the cache entry of one file or folder.
type node struct {
	id   int64
	etag string
	// For files, the size and modification time the ETag was issued for: a
	// file changed on disk behind the server's back gets a new ETag when it
	// is next looked at, as Nextcloud's scanner does.
	size  int64
	mtime time.Time
	// For folders, when something below last changed; Nextcloud propagates
	// modification times upwards with ETags.
	propagated time.Time
	// For folders, the size of everything below (oc:size) once computed,
	// until a change below: Nextcloud keeps it in its file cache too, so
	// that a listing costs the same at any size of the tree.
	treeSize int64
	sized    bool
	// For files, the checksums a client sent with the content (OC-Checksum),
	// stored unverified; a change by other means clears them.
	checksum string
}

// entry is what a handler needs to know of a file or folder.
type entry struct {
	rel      string
	isDir    bool
	size     int64 // for folders, the size of everything below, as oc:size
	modTime  time.Time
	etag     string
	id       int64
	checksum string // as stored from OC-Checksum, "" for none
}

func newFileState(root, instanceID string) *fileState {
	s := &fileState{
		root:       root,
		instanceID: instanceID,
		epoch:      time.Now().Unix(),
		nextID:     1,
		nodes:      map[string]*node{},
	}
	s.scan("")
	return s
}

// abs answers the path on disk of rel.
func (s *fileState) abs(rel string) string {
	return filepath.Join(s.root, filepath.FromSlash(rel))
}

// ocID answers a file id as oc:id and the OC-FileId header show it.
func (s *fileState) ocID(id int64) string {
	return fmt.Sprintf("%08d%s", id, s.instanceID)
}

// newETag answers a fresh ETag; s.mu must be held.
func (s *fileState) newETag() string {
	s.seq++
	return fmt.Sprintf("%08x%05x", s.epoch, s.seq)
}

// newNode makes the cache entry of rel; s.mu must be held.
func (s *fileState) newNode(rel string, fi fs.FileInfo) *node {
	nd := &node{id: s.nextID, etag: s.newETag(), size: fi.Size(), mtime: fi.ModTime()}
	s.nextID++
	s.nodes[rel] = nd
	return nd
}

// stat answers rel's entry, creating or refreshing its cache entry. A file
// not seen before, or changed on disk since, gets a new ETag, propagated.
func (s *fileState) stat(rel string) (entry, error) {
	fi, err := os.Stat(s.abs(rel))
	if err != nil {
		return entry{}, err
	}
	var size int64
	if fi.IsDir() {
		size = s.treeSize(rel)
	} else {
		size = fi.Size()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nd := s.nodes[rel]
	switch {
	case nd == nil:
		nd = s.newNode(rel, fi)
		s.propagate(rel, time.Now())
	case !fi.IsDir() && (nd.size != fi.Size() || !nd.mtime.Equal(fi.ModTime())):
		nd.etag, nd.size, nd.mtime, nd.checksum = s.newETag(), fi.Size(), fi.ModTime(), ""
		s.propagate(rel, time.Now())
	}
	mod := fi.ModTime()
	if nd.propagated.After(mod) {
		mod = nd.propagated
	}
	return entry{rel: rel, isDir: fi.IsDir(), size: size, modTime: mod, etag: nd.etag, id: nd.id, checksum: nd.checksum}, nil
}

// treeSize answers the size of every file below the folder rel: from the
// cache, or walked once and cached until a change below (see propagate).
func (s *fileState) treeSize(rel string) int64 {
	s.mu.Lock()
	nd, seq := s.nodes[rel], s.seq
	if nd != nil && nd.sized {
		s.mu.Unlock()
		return nd.treeSize
	}
	s.mu.Unlock()
	var total int64
	_ = filepath.WalkDir(s.abs(rel), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	s.mu.Lock()
	// Kept only when nothing changed meanwhile (every change takes an
	// ETag, which moves seq on).
	if nd != nil && s.nodes[rel] == nd && s.seq == seq {
		nd.treeSize, nd.sized = total, true
	}
	s.mu.Unlock()
	return total
}

// changed records that rel (a file or folder, new or changed) changed now:
// it and every folder above it get new ETags.
func (s *fileState) changed(rel string) {
	fi, err := os.Stat(s.abs(rel))
	s.mu.Lock()
	defer s.mu.Unlock()
	if nd := s.nodes[rel]; nd != nil && err == nil {
		nd.etag, nd.size, nd.mtime, nd.checksum = s.newETag(), fi.Size(), fi.ModTime(), ""
	} else if err == nil {
		s.newNode(rel, fi)
	}
	s.propagate(rel, time.Now())
}

// removed forgets rel and everything below it, and gives the folders above
// it new ETags.
func (s *fileState) removed(rel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(rel)
	s.propagate(rel, time.Now())
}

// moved records a move: the entries below from move to to, keeping their
// ids and ETags, and the folders above both get new ETags.
func (s *fileState) moved(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(to) // what the move replaced
	for rel, nd := range s.nodes {
		if rest, ok := below(rel, from); ok {
			delete(s.nodes, rel)
			s.nodes[to+rest] = nd
		}
	}
	now := time.Now()
	s.propagate(from, now)
	s.propagate(to, now)
}

// copied records a copy to to: it and everything below it get new entries,
// and the folders above it new ETags.
func (s *fileState) copied(to string) {
	s.mu.Lock()
	s.forget(to) // what the copy replaced
	s.mu.Unlock()
	s.scan(to)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.propagate(to, time.Now())
}

// scan makes entries for rel and everything below it, without propagation,
// as Nextcloud's scanner does for a tree it has not seen.
func (s *fileState) scan(rel string) {
	_ = filepath.WalkDir(s.abs(rel), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		r, err := filepath.Rel(s.root, p)
		if err != nil {
			return nil
		}
		r = filepath.ToSlash(r)
		if r == "." {
			r = ""
		}
		s.mu.Lock()
		if s.nodes[r] == nil {
			s.newNode(r, fi)
		}
		s.mu.Unlock()
		return nil
	})
}

// forget drops the entries of rel and everything below it; s.mu must be
// held.
func (s *fileState) forget(rel string) {
	for r := range s.nodes {
		if _, ok := below(r, rel); ok {
			delete(s.nodes, r)
		}
	}
}

// propagate gives every folder above rel a new ETag and the time of the
// change; s.mu must be held.
func (s *fileState) propagate(rel string, now time.Time) {
	for rel != "" {
		rel = parentRel(rel)
		nd := s.nodes[rel]
		if nd == nil {
			fi, err := os.Stat(s.abs(rel))
			if err != nil {
				continue
			}
			nd = s.newNode(rel, fi)
		}
		nd.etag = s.newETag()
		nd.propagated = now
		nd.sized = false
	}
}

// below reports whether rel is dir or inside it, and answers the rest of
// rel after dir ("" or "/...").
func below(rel, dir string) (string, bool) {
	if dir == "" {
		if rel == "" {
			return "", true
		}
		return "/" + rel, true
	}
	if rel == dir {
		return "", true
	}
	if strings.HasPrefix(rel, dir+"/") {
		return rel[len(dir):], true
	}
	return "", false
}

// parentRel answers the folder holding rel; the home's parent is itself.
func parentRel(rel string) string {
	p := path.Dir(rel)
	if p == "." || p == "/" {
		return ""
	}
	return p
}

// randomInstanceID answers an instance id like Nextcloud's: "oc" and ten
// lower-case letters and digits.
func randomInstanceID(t testing.TB) string {
	t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("davtest: random instance id: %v", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "oc" + string(b)
}
