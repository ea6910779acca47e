package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestUploadExpireDays: "expire_days" sets when the uploaded files expire,
// and a value out of range is refused before any job starts.
func TestUploadExpireDays(t *testing.T) {
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	log := slog.New(slog.DiscardHandler)
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", memory.NewServer(clock))
	dir := t.TempDir()
	p := apptest.Ports(t, dir, clock)
	p.Secrets, p.Connector, p.Log = box, conn, log
	library, uploads := memory.NewLibraryStore(), memory.NewUploadStore()
	p.Library, p.Uploads = library, uploads
	a := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"})
	accounts := a.Accounts
	user, pass, url := "bob", "hunter2", "https://dav.example.com/"
	acct, err := accounts.Connect(ctx, app.AccountInput{URL: &url, Username: &user, Password: &pass})
	if err != nil {
		t.Fatal(err)
	}
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 3})
	fi, err := os.Stat(mediatest.WriteFile(t, dir, "a/IMG_1.JPG", data))
	if err != nil {
		t.Fatal(err)
	}
	photos := []domain.Photo{{Key: "a/img_1", Folder: "a", Name: "IMG_1", Files: []domain.LibraryFile{{
		Path: "a/IMG_1.JPG", Kind: domain.KindImage, Role: domain.RolePrimary, Size: fi.Size(), ModTime: fi.ModTime(),
		TakenSource: domain.TakenFromMTime}}}}
	if err := library.SaveIndex(ctx, photos, nil, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(a, httpapi.Settings{Version: "test"}))
	t.Cleanup(srv.Close)
	c := &apiClient{t: t, srv: srv}
	c.login()
	path := fmt.Sprintf("/api/v1/accounts/%d/upload", acct.ID)

	for _, days := range []string{"-1", "3651"} {
		st, raw := c.do("POST", path, fmt.Sprintf(`{"photos": [%d], "expire_days": %s}`, photos[0].ID, days), nil)
		if st != 400 || !bytes.Contains([]byte(raw), []byte("expire_days")) {
			t.Errorf("expire_days %s: %d %s, want 400 about expire_days", days, st, raw)
		}
	}

	if st, raw := c.do("POST", path, fmt.Sprintf(`{"photos": [%d], "folder": "/Short", "expire_days": 7}`, photos[0].ID), nil); st != 202 {
		t.Fatalf("upload: %d %s", st, raw)
	}
	var in []domain.UploadRecord
	recorded := testkit.Poll(10*time.Second, time.Millisecond, func() bool {
		var err error
		if in, err = uploads.UploadsIn(ctx, acct.ID, "/Short"); err != nil {
			t.Fatal(err)
		}
		return len(in) == 1
	})
	if !recorded {
		t.Fatalf("the upload was not recorded; records %v", in)
	}
	if want := clock.Now().Add(7 * 24 * time.Hour); !in[0].ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", in[0].ExpiresAt, want)
	}
}
