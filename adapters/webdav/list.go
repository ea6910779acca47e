package webdav

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/photosync/photosync/domain"
)

// Stat returns one file or folder. ENOTFOUND when there is none.
func (c *Client) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return domain.RemoteFile{}, err
	}
	return c.stat(ctx, p, c.target("stat", p))
}

func (c *Client) stat(ctx context.Context, p string, t target) (domain.RemoteFile, error) {
	e, err := c.statURL(ctx, c.url(p), c.propsBody(), t)
	if s := HTTPStatus(err); s >= 300 && s < 400 && p != "/" {
		// Some servers (Apache) redirect a folder's path without its
		// trailing slash to the path with it.
		u := c.url(p)
		u.Path, u.RawPath = u.Path+"/", u.RawPath+"/"
		e, err = c.statURL(ctx, u, c.propsBody(), t)
	}
	if err != nil {
		return domain.RemoteFile{}, err
	}
	return e.remoteFile(p), nil
}

// statURL asks for the properties of u alone (Depth 0). The entry is the
// one whose href names u or, failing that, the first: a server behind a
// proxy that rewrites paths names u otherwise.
func (c *Client) statURL(ctx context.Context, u *url.URL, body string, t target) (davEntry, error) {
	want := strings.TrimSuffix(u.Path, "/")
	var first, self *davEntry
	status, hdr, err := c.propfind(ctx, u, "0", body, t, func(e davEntry) error {
		if !e.found() {
			return nil
		}
		if first == nil {
			first = &e
		}
		if p, err := hrefPath(u, e.href); err == nil && self == nil && strings.TrimSuffix(p, "/") == want {
			self = &e
		}
		return nil
	})
	if err != nil {
		return davEntry{}, err
	}
	if status != http.StatusMultiStatus {
		return davEntry{}, t.statusError("PROPFIND", u.Redacted(), status, hdr)
	}
	if self == nil {
		self = first
	}
	if self == nil {
		return davEntry{}, t.notWebDAV("207 without the properties of "+t.what, nil)
	}
	return *self, nil
}

// List returns the entries of one folder: never the folder itself, never
// deeper levels. ENOTFOUND when there is no such folder, EINVALID when dir
// is a file.
//
// The folder itself is the entry whose href names the folder asked for
// (or, should none, the first: a proxy may rewrite paths), and the other
// entries must be directly inside it. Entries elsewhere, or whose names
// could not be a file name ("", ".", "..", or with a slash, a backslash or
// a control character), are left out and logged, so a hostile server
// cannot make a caller write outside a folder.
func (c *Client) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return nil, err
	}
	t := c.target("list", dir)
	u := c.url(dir)
	if dir != "/" {
		u.Path, u.RawPath = u.Path+"/", u.RawPath+"/"
	}
	// Only what children could take is kept as the answer streams in: a
	// hostile answer of millions of entries elsewhere, unusable or
	// repeated costs no memory.
	var (
		entries   []davEntry
		want      = strings.TrimSuffix(u.Path, "/")
		firstPath string
		seen      = map[string]bool{}
		dropped   int
	)
	status, hdr, err := c.propfind(ctx, u, "1", c.propsBody(), t, func(e davEntry) error {
		p, err := hrefPath(u, e.href)
		if err != nil || !e.found() {
			dropped++
			return nil
		}
		p = strings.TrimSuffix(p, "/")
		switch {
		case len(entries) == 0:
			firstPath = p // the folder itself should none name it; see children
		case seen[p] || !(p == want || childOf(p, want) || childOf(p, firstPath)):
			dropped++
			return nil
		}
		seen[p] = true
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if dropped > 0 {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: skipping listing entries outside the folder, with an unusable or repeated name",
			slog.String("folder", dir), slog.Int("entries", dropped))
	}
	switch status {
	case http.StatusMultiStatus:
		return c.children(ctx, dir, u, entries, t)
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusMethodNotAllowed:
		// A file asked for as a folder ("/a.jpg/") is answered 400
		// (Apache), 404 or 409. Tell a file from a missing path.
		if f, serr := c.stat(ctx, dir, t); serr != nil {
			return nil, serr
		} else if !f.IsDir {
			return nil, &domain.Error{Code: domain.EINVALID, Message: dir + " is a file, not a folder", Remote: true,
				Err: &StatusError{Method: "PROPFIND", URL: u.Redacted(), Status: status}}
		}
	}
	return nil, t.statusError("PROPFIND", u.Redacted(), status, hdr)
}

// children picks the folder's entries out of a Depth 1 answer.
func (c *Client) children(ctx context.Context, dir string, u *url.URL, entries []davEntry, t target) ([]domain.RemoteFile, error) {
	want := strings.TrimSuffix(u.Path, "/")
	paths := make([]string, len(entries))
	valid := make([]bool, len(entries))
	self := -1
	for i, e := range entries {
		p, err := hrefPath(u, e.href)
		if err != nil || !e.found() {
			continue
		}
		paths[i], valid[i] = strings.TrimSuffix(p, "/"), true
		if self < 0 && paths[i] == want {
			self = i
		}
	}
	if self < 0 {
		for i := range entries {
			if valid[i] {
				self = i
				c.logger.LogAttrs(ctx, slog.LevelDebug, "webdav: no listing entry names the folder; taking the first for it",
					slog.String("folder", dir), slog.String("href", entries[i].href))
				break
			}
		}
	}
	if self < 0 {
		return nil, t.notWebDAV("207 without the folder "+dir, nil)
	}
	if !entries[self].isDir {
		return nil, &domain.Error{Code: domain.EINVALID, Message: dir + " is a file, not a folder", Remote: true}
	}
	prefix := paths[self] + "/"
	files := make([]domain.RemoteFile, 0, len(entries)-1)
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		if i == self {
			continue
		}
		name, inside := strings.CutPrefix(paths[i], prefix)
		if !valid[i] || !inside || !validName(name) || seen[name] {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "webdav: skipping a listing entry outside the folder, with an unusable or repeated name",
				slog.String("folder", dir), slog.String("href", strconv.Quote(e.href)))
			continue
		}
		seen[name] = true
		files = append(files, e.remoteFile(domain.JoinRemotePath(dir, name)))
	}
	return files, nil
}

// childOf reports whether p is directly inside the folder dir, with a
// name that can be a file name.
func childOf(p, dir string) bool {
	name, ok := strings.CutPrefix(p, dir+"/")
	return ok && validName(name)
}

// found reports whether the server found the entry: a response with
// propstats, or with a status of its own of 2xx.
func (e davEntry) found() bool {
	return e.status == 0 || (e.status >= 200 && e.status < 300)
}

// remoteFile converts an entry found at the clean path p.
func (e davEntry) remoteFile(p string) domain.RemoteFile {
	rf := domain.RemoteFile{Path: p, Name: path.Base(p), IsDir: e.isDir, ModTime: e.modTime, ETag: e.etag}
	if p == "/" {
		rf.Name = ""
	}
	if !rf.IsDir {
		rf.Size = max(e.size, 0)
		if e.size < 0 && e.ocSize >= 0 {
			rf.Size = e.ocSize
		}
		rf.Checksum = e.checksum
	}
	return rf
}
