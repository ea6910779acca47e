package webdav_test

import (
	"context"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestMkdir: one folder whose parent exists is created; one already there
// is no error (rclone answers 201 to that, Apache 405); a file in the way
// is ECONFLICT and a missing parent ENOTFOUND, on every server.
func TestMkdir(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *davtest.Server{
		"xnet": davtest.StartXNet, "rclone": davtest.StartRclone, "apache": davtest.StartApache,
		"nextcloud": func(t testing.TB) *davtest.Server { return davtest.StartNextcloud(t).Server() },
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			typ := domain.TypeWebDAV
			if name == "nextcloud" {
				typ = domain.TypeNextcloud
			}
			st := openStorage(s.URL, s.Username, s.Password, typ)(t)
			fm, ok := st.(ports.FolderMaker)
			if !ok {
				t.Fatal("the WebDAV client is no ports.FolderMaker")
			}
			ctx := context.Background()
			s.WriteFile(t, "a/file.jpg", []byte("x"))
			if err := fm.Mkdir(ctx, "/a/new"); err != nil {
				t.Fatalf("Mkdir /a/new: %v", err)
			}
			if f, err := st.Stat(ctx, "/a/new"); err != nil || !f.IsDir {
				t.Fatalf("after Mkdir, Stat /a/new: %+v, %v", f, err)
			}
			if err := fm.Mkdir(ctx, "/a/new"); err != nil {
				t.Errorf("Mkdir of an existing folder: %v", err)
			}
			if err := fm.Mkdir(ctx, "/a/file.jpg"); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("Mkdir over a file: %v, want ECONFLICT", err)
			}
			if err := fm.Mkdir(ctx, "/missing/sub"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("Mkdir below a missing folder: %v, want ENOTFOUND", err)
			}
		})
	}
}
