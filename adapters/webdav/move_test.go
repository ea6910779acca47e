package webdav_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestMoveOnServersThatCheckTheDestinationHost: MOVE names its
// destination on the server's own origin. x/net/webdav and rclone refuse
// a destination on another host with 502, which made every kept copy of
// the sync and the verify's repair fail on plain WebDAV.
func TestMoveOnServersThatCheckTheDestinationHost(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *davtest.Server{
		"xnet": davtest.StartXNet, "rclone": davtest.StartRclone, "apache": davtest.StartApache,
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			st := openStorage(s.URL, s.Username, s.Password, domain.TypeWebDAV)(t)
			mv, ok := st.(ports.Mover)
			if !ok {
				t.Fatal("the WebDAV client is no ports.Mover")
			}
			ctx := context.Background()
			s.WriteFile(t, "a/file.jpg", []byte("kept"))
			s.WriteFile(t, "b/.hidden/other.jpg", []byte("x"))
			if err := mv.Move(ctx, "/a/file.jpg", "/b/.hidden/file.jpg"); err != nil {
				t.Fatalf("Move: %v", err)
			}
			rc, _, err := st.Download(ctx, "/b/.hidden/file.jpg")
			if err != nil {
				t.Fatalf("the moved file: %v", err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(data, []byte("kept")) {
				t.Errorf("moved file holds %q", data)
			}
			if _, err := st.Stat(ctx, "/a/file.jpg"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("the source is still there: %v", err)
			}
			if err := mv.Move(ctx, "/b/.hidden/file.jpg", "/b/.hidden/other.jpg"); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("Move onto an existing file = %v, want ECONFLICT", err)
			}
		})
	}
}
