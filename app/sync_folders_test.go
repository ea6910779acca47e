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

	grownRetagged := grown
	grownRetagged.ETag = `"9"`
	for _, tc := range []struct {
		name       string
		cur        []domain.RemoteFolder
		put, retag []string
		drop       []string
	}{
		{"the same, in another order", []domain.RemoteFolder{b, reordered, root}, nil, nil, nil},
		{"the verdict counts a run", []domain.RemoteFolder{root2, a, b}, nil, []string{"/P=photosync:etags=yes;2"}, nil},
		{"a file more", []domain.RemoteFolder{root, a, grown}, []string{"/P/b"}, nil, nil},
		{"a file more and a new ETag", []domain.RemoteFolder{root, a, grownRetagged}, []string{"/P/b"}, nil, nil},
		{"a file resized", []domain.RemoteFolder{root, resized, b}, []string{"/P/a"}, nil, nil},
		{"an ETag changed", []domain.RemoteFolder{root, a, retagged}, nil, []string{`/P/b="3"`}, nil},
		{"an entry twice", []domain.RemoteFolder{root, twice, b}, []string{"/P/a"}, nil, nil},
		{"a folder gone, one new", []domain.RemoteFolder{root, a, {Path: "/P/c"}}, []string{"/P/c"}, nil, []string{"/P/b"}},
		{"nothing remembered", nil, nil, nil, []string{"/P", "/P/a", "/P/b"}},
	} {
		put, retag, drop := changedFolders(prev, tc.cur)
		var paths, tags []string
		for _, f := range put {
			paths = append(paths, f.Path)
		}
		for _, f := range retag {
			if len(f.Files) != 0 {
				t.Errorf("%s: retag %s carries entries", tc.name, f.Path)
			}
			tags = append(tags, f.Path+"="+f.ETag)
		}
		if !slices.Equal(paths, tc.put) || !slices.Equal(tags, tc.retag) || !slices.Equal(drop, tc.drop) {
			t.Errorf("%s: put %v, retag %v, drop %v; want %v, %v, %v", tc.name, paths, tags, drop, tc.put, tc.retag, tc.drop)
		}
	}
}
