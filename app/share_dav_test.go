//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestShareAnUploadedFolderOnNextcloud signs in with Login Flow v2,
// uploads a file with the account's app password and makes a public link
// with an expiry date and a password to its folder, as an upload that asks
// for a link does; then removing the account revokes the app password.
func TestShareAnUploadedFolderOnNextcloud(t *testing.T) {
	ctx := context.Background()
	nc := davtest.StartNextcloud(t)
	clock := memory.NewClock(time.Now())
	box, _ := secrets.NewBox(bytes.Repeat([]byte{9}, 32))
	log := slog.New(slog.DiscardHandler)
	conn := webdav.NewConnector(log)
	accounts := app.NewAccounts(memory.NewAccountStore(clock), box, conn, clock, log)
	flows := app.NewLoginFlows(conn, accounts, clock, log)

	f, err := flows.Start(ctx, app.LoginFlowInput{URL: nc.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	nc.GrantLogin(t, f.Start.LoginURL)
	if f, err = flows.Poll(ctx, f.ID); err != nil || f.State != domain.LoginDone || f.Account.UserID != nc.UserID {
		t.Fatalf("poll: %+v, %v", f, err)
	}
	st, err := accounts.Storage(ctx, f.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	jpeg := []byte("not really a jpeg")
	if err := st.MkdirAll(ctx, "/Photos/Holidays 2026"); err != nil {
		t.Fatal(err)
	}
	if err := st.Upload(ctx, "/Photos/Holidays 2026/a.jpg", bytes.NewReader(jpeg), int64(len(jpeg)), domain.UploadMeta{}); err != nil {
		t.Fatal(err)
	}

	expiry, _ := domain.ParseShareExpiry(clock.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly))
	opts := domain.ShareOptions{Expires: expiry, Password: "a long share password"}
	if err := app.PrepareShare(f.Account, &opts, clock.Now()); err != nil {
		t.Fatal(err)
	}
	link, err := app.ShareFolder(ctx, st, "/Photos/Holidays 2026", opts)
	if err != nil || !strings.HasPrefix(link, nc.BaseURL+"/index.php/s/") {
		t.Fatalf("ShareFolder = %q, %v", link, err)
	}
	// The share API shows the link with its expiry and a password.
	req, _ := http.NewRequest("GET", nc.BaseURL+"/ocs/v2.php/apps/files_sharing/api/v1/shares?format=json&path="+url.QueryEscape("/Photos/Holidays 2026"), nil)
	req.SetBasicAuth(nc.LoginName, nc.Password)
	req.Header.Set("OCS-APIRequest", "true")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var shares struct {
		OCS struct {
			Data []struct{ URL, Expiration, Password string }
		}
	}
	if err := json.Unmarshal(raw, &shares); err != nil || len(shares.OCS.Data) != 1 {
		t.Fatalf("shares: %v %s", err, raw)
	}
	if s := shares.OCS.Data[0]; s.URL != link || s.Expiration != expiry.Format(time.DateOnly)+" 00:00:00" || s.Password == "" {
		t.Fatalf("share %+v", s)
	}

	r, err := accounts.RemoveAccount(ctx, f.Account.ID)
	if err != nil || !r.Revoked {
		t.Fatalf("RemoveAccount = %+v, %v", r, err)
	}
	if _, err := st.List(ctx, "/Photos"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("the revoked app password still lists: %v", err)
	}
}
