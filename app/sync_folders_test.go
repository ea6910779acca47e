package app

import (
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestChangedFolders(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	file := func(p string, size int64) domain.RemoteFile {
		return domain.RemoteFile{Path: p, Name: p[len(p)-5:], Size: size, ModTime: at, ETag: `"e"`}
	}
	a := domain.RemoteFolder{Path: "/P/a", ETag: `"1"`, Files: []domain.RemoteFile{file("/P/a/1.jpg", 1), file("/P/a/2.jpg", 2)}}
	b := domain.RemoteFolder{Path: "/P/b", ETag: `"2"`, Files: []domain.RemoteFile{file("/P/b/3.jpg", 3)}}
	root := domain.RemoteFolder{Path: "/P", ETag: "photosync:etags=yes;1"}
	prev := []domain.RemoteFolder{root, a, b}

	reordered := a
	reordered.Files = []domain.RemoteFile{a.Files[1], a.Files[0]}
	reordered.Files[0].ModTime = at.In(time.FixedZone("X", 3600)) // the same instant
	grown := b
	grown.Files = append(slices.Clone(b.Files), file("/P/b/4.jpg", 4))
	resized := a
	resized.Files = []domain.RemoteFile{a.Files[0], file("/P/a/2.jpg", 20)}
	retagged := b
	retagged.ETag = `"3"`
	twice := a
	twice.Files = []domain.RemoteFile{a.Files[0], a.Files[0]}
	root2 := root
	root2.ETag = "photosync:etags=yes;2"

	for _, tc := range []struct {
		name string
		cur  []domain.RemoteFolder
		put  []string
		drop []string
	}{
		{"the same, in another order", []domain.RemoteFolder{b, reordered, root}, nil, nil},
		{"the verdict counts a run", []domain.RemoteFolder{root2, a, b}, []string{"/P"}, nil},
		{"a file more", []domain.RemoteFolder{root, a, grown}, []string{"/P/b"}, nil},
		{"a file resized", []domain.RemoteFolder{root, resized, b}, []string{"/P/a"}, nil},
		{"an ETag changed", []domain.RemoteFolder{root, a, retagged}, []string{"/P/b"}, nil},
		{"an entry twice", []domain.RemoteFolder{root, twice, b}, []string{"/P/a"}, nil},
		{"a folder gone, one new", []domain.RemoteFolder{root, a, {Path: "/P/c"}}, []string{"/P/c"}, []string{"/P/b"}},
		{"nothing remembered", nil, nil, []string{"/P", "/P/a", "/P/b"}},
	} {
		put, drop := changedFolders(prev, tc.cur)
		var paths []string
		for _, f := range put {
			paths = append(paths, f.Path)
		}
		if !slices.Equal(paths, tc.put) || !slices.Equal(drop, tc.drop) {
			t.Errorf("%s: put %v, drop %v; want %v, %v", tc.name, paths, drop, tc.put, tc.drop)
		}
	}
}
