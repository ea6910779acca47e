package memory

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Server is an in-memory file server: a tree of folders and files that
// Remote views through. Tests reach into it to arrange and check files.
type Server struct {
	clock ports.Clock

	mu    sync.Mutex
	files map[string]*node // by clean path; "/" is the root folder
	etag  int
}

type node struct {
	dir     bool
	data    []byte
	modTime time.Time
	etag    string
}

// NewServer returns a server with an empty root folder.
func NewServer(clock ports.Clock) *Server {
	s := &Server{clock: clock, files: map[string]*node{}}
	s.files["/"] = &node{dir: true, modTime: clock.Now(), etag: s.nextETag()}
	return s
}

func (s *Server) nextETag() string {
	s.etag++
	return fmt.Sprintf(`"%d"`, s.etag)
}

// File returns the content of a file and whether it exists.
func (s *Server) File(p string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.files[p]
	if !ok || n.dir {
		return nil, false
	}
	return bytes.Clone(n.data), true
}

// Remote is a ports.RemoteStorage backed by a Server.
type Remote struct {
	srv *Server
}

var (
	_ ports.RemoteStorage = (*Remote)(nil)
	_ ports.Downloader    = (*Remote)(nil)
)

// NewRemote returns storage on srv.
func NewRemote(srv *Server) *Remote { return &Remote{srv: srv} }

func (r *Remote) clean(p string) (string, error) {
	c, err := domain.CleanRemotePath(p)
	if err != nil {
		return "", err
	}
	return c, nil
}

func notFoundPath(p string) error {
	return domain.RemoteErrorf(domain.ENOTFOUND, "%s not found on the server", p)
}

// Stat returns one file or folder.
func (r *Remote) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	if err := ctx.Err(); err != nil {
		return domain.RemoteFile{}, err
	}
	p, err := r.clean(p)
	if err != nil {
		return domain.RemoteFile{}, err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	n, ok := r.srv.files[p]
	if !ok {
		return domain.RemoteFile{}, notFoundPath(p)
	}
	return entry(p, n), nil
}

func entry(p string, n *node) domain.RemoteFile {
	return domain.RemoteFile{Path: p, Name: path.Base(p), IsDir: n.dir, Size: int64(len(n.data)), ModTime: n.modTime, ETag: n.etag}
}

// List returns the direct children of a folder, sorted by name.
func (r *Remote) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := r.clean(dir)
	if err != nil {
		return nil, err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	n, ok := r.srv.files[dir]
	if !ok {
		return nil, notFoundPath(dir)
	}
	if !n.dir {
		return nil, domain.RemoteErrorf(domain.EINVALID, "%s is a file, not a folder", dir)
	}
	var out []domain.RemoteFile
	for p, c := range r.srv.files {
		if p != "/" && path.Dir(p) == dir {
			out = append(out, entry(p, c))
		}
	}
	slices.SortFunc(out, func(a, b domain.RemoteFile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// MkdirAll creates a folder and its parents.
func (r *Remote) MkdirAll(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := r.clean(dir)
	if err != nil {
		return err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	for p := dir; p != "/"; p = path.Dir(p) {
		if n, ok := r.srv.files[p]; ok && !n.dir {
			return domain.RemoteErrorf(domain.ECONFLICT, "%s is a file, not a folder", p)
		}
	}
	var missing []string
	for p := dir; p != "/"; p = path.Dir(p) {
		if _, ok := r.srv.files[p]; !ok {
			missing = append(missing, p)
		}
	}
	for _, p := range slices.Backward(missing) {
		r.srv.files[p] = &node{dir: true, modTime: r.srv.clock.Now(), etag: r.srv.nextETag()}
	}
	return nil
}

// Upload stores a file; the parent must exist.
func (r *Remote) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	p, err := r.clean(p)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return err
	}
	if int64(len(data)) != size {
		return domain.RemoteErrorf(domain.EINVALID, "upload of %s: read %d bytes, declared %d", p, len(data), size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	parent, ok := r.srv.files[path.Dir(p)]
	if !ok || !parent.dir {
		return notFoundPath(path.Dir(p))
	}
	if n, ok := r.srv.files[p]; ok && n.dir {
		return domain.RemoteErrorf(domain.ECONFLICT, "%s is a folder", p)
	}
	mod := meta.ModTime
	if mod.IsZero() {
		mod = r.srv.clock.Now()
	}
	r.srv.files[p] = &node{data: data, modTime: mod, etag: r.srv.nextETag()}
	return nil
}

// Download opens a file.
func (r *Remote) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, domain.RemoteFile{}, err
	}
	p, err := r.clean(p)
	if err != nil {
		return nil, domain.RemoteFile{}, err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	n, ok := r.srv.files[p]
	if !ok || n.dir {
		return nil, domain.RemoteFile{}, notFoundPath(p)
	}
	return io.NopCloser(bytes.NewReader(bytes.Clone(n.data))), entry(p, n), nil
}

// DownloadWith is Download: the memory server announces no checksum to
// leave unchecked, and its files are read whole from memory, so no
// option changes anything.
func (r *Remote) DownloadWith(ctx context.Context, p string, _ ports.DownloadOptions) (io.ReadCloser, domain.RemoteFile, error) {
	return r.Download(ctx, p)
}

// Delete removes a file or a folder with everything below it.
func (r *Remote) Delete(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := r.clean(p)
	if err != nil {
		return err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	if _, ok := r.srv.files[p]; !ok || p == "/" {
		return notFoundPath(p)
	}
	for q := range r.srv.files {
		if q == p || strings.HasPrefix(q, p+"/") {
			delete(r.srv.files, q)
		}
	}
	return nil
}

var _ ports.Mover = (*Remote)(nil)

// Move moves a file; it never replaces one.
func (r *Remote) Move(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	from, err := r.clean(from)
	if err != nil {
		return err
	}
	if to, err = r.clean(to); err != nil {
		return err
	}
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	n, ok := r.srv.files[from]
	if !ok || n.dir {
		return notFoundPath(from)
	}
	if _, ok := r.srv.files[to]; ok {
		return domain.RemoteErrorf(domain.ECONFLICT, "%s exists on the server already", to)
	}
	if d, ok := r.srv.files[path.Dir(to)]; !ok || !d.dir {
		return notFoundPath(path.Dir(to))
	}
	delete(r.srv.files, from)
	r.srv.files[to] = n
	return nil
}
