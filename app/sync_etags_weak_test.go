package app_test

import (
	"testing"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestPropagatesETagsNotFooled: two things that once made a server that
// does not propagate folder ETags (Apache) pass for one that does, found
// by the bench: Apache's weak ETag of a folder changed in the last second
// (W/"x") turning strong ("x") with no change, and a remembered ETag that
// is unknown (the sync folder's, which holds photosync's verdict).
func TestPropagatesETagsNotFooled(t *testing.T) {
	file := func(p, etag string) domain.RemoteFile { return domain.RemoteFile{Path: p, ETag: etag, Size: 1} }
	dir := func(p, etag string) domain.RemoteFile { return domain.RemoteFile{Path: p, ETag: etag, IsDir: true} }
	before := []domain.RemoteFolder{
		{Path: "/P", ETag: `W/"root"`, Files: []domain.RemoteFile{dir("/P/a", `"a1"`)}},
		{Path: "/P/a", ETag: `"a1"`, Files: []domain.RemoteFile{file("/P/a/x.jpg", `"x"`)}},
	}
	after := []domain.RemoteFolder{
		{Path: "/P", ETag: `"root"`, Files: []domain.RemoteFile{dir("/P/a", `"a2"`)}},
		{Path: "/P/a", ETag: `"a2"`, Files: []domain.RemoteFile{file("/P/a/x.jpg", `"x"`), file("/P/a/y.jpg", `"y"`)}},
	}
	if v, known := app.PropagatesETags(before, after); v || !known {
		t.Errorf("weak to strong: PropagatesETags = %v, %v; want false, known", v, known)
	}
	before[0].ETag = ""
	if v, known := app.PropagatesETags(before, after); v {
		t.Errorf("unknown top ETag: PropagatesETags = %v, %v; want no positive verdict", v, known)
	}
	// A real propagation is still recognised.
	before[0].ETag = `"root1"`
	if v, known := app.PropagatesETags(before, after); !v || !known {
		t.Errorf("propagated: PropagatesETags = %v, %v; want true, known", v, known)
	}
}
