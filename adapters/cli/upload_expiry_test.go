package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestUploadExpireDays: --expire-days N makes the uploaded files expire N
// days later; a value out of range is a usage error.
func TestUploadExpireDays(t *testing.T) {
	ctx := context.Background()
	c, _, jobs := jobsCLI(t)
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", memory.NewServer(clock))
	accounts := app.NewAccounts(memory.NewAccountStore(clock), box, conn, clock, log)
	acct, err := accounts.Connect(ctx, app.AccountInput{URL: ptr("https://dav.example.com/"), Username: ptr("bob"), Password: ptr("hunter2")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fi, err := os.Stat(mediatest.WriteFile(t, dir, "a/IMG_1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 5})))
	if err != nil {
		t.Fatal(err)
	}
	library, uploads := memory.NewLibraryStore(), memory.NewUploadStore()
	photos := []domain.Photo{{Key: "a/img_1", Folder: "a", Name: "IMG_1", Files: []domain.LibraryFile{{
		Path: "a/IMG_1.JPG", Kind: domain.KindImage, Role: domain.RolePrimary, Size: fi.Size(), ModTime: fi.ModTime(),
		TakenSource: domain.TakenFromMTime}}}}
	if err := library.SaveIndex(ctx, photos, nil, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	up := app.NewUploader(accounts, localfs.NewLibrary(dir), library, uploads, media.NewResizer(), clock, log)
	account, photo := fmt.Sprint(acct.ID), fmt.Sprint(photos[0].ID)

	for _, days := range []string{"-1", "3651", "x"} {
		err := c.UploadCommand(ctx, []string{"--account", account, "--expire-days", days, photo}, up, jobs)
		if err == nil || !strings.Contains(err.Error(), "expire-days") {
			t.Errorf("--expire-days %s: %v, want a usage error about --expire-days", days, err)
		}
	}
	if err := c.UploadCommand(ctx, []string{"--account", account, "--folder", "/Short", "--expire-days", "30", "--json", photo}, up, jobs); err != nil {
		t.Fatalf("upload: %v", err)
	}
	in, err := uploads.UploadsIn(ctx, acct.ID, "/Short")
	if err != nil || len(in) != 1 {
		t.Fatalf("UploadsIn = %v, %v; want one record", in, err)
	}
	if want := clock.Now().Add(30 * 24 * time.Hour); !in[0].ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", in[0].ExpiresAt, want)
	}
}
