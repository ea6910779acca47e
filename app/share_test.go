package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// linkingStorage is a storage that makes share links and remembers what
// it was asked.
type linkingStorage struct {
	ports.RemoteStorage
	path     string
	expires  time.Time
	password string
	err      error
}

func (s *linkingStorage) ShareLink(_ context.Context, p string, expires time.Time, password string) (string, error) {
	s.path, s.expires, s.password = p, expires, password
	if s.err != nil {
		return "", s.err
	}
	return "https://cloud.example.com/index.php/s/AbCdEfGhIjKlMnO", nil
}

func TestShareFolder(t *testing.T) {
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	st := &linkingStorage{RemoteStorage: memory.NewRemote(memory.NewServer(clock))}
	opts := domain.ShareOptions{Expires: time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC), Password: "correct horse"}
	if err := app.PrepareShare(domain.Account{Name: "Cloud", Type: domain.TypeNextcloud}, &opts, clock.Now()); err != nil {
		t.Fatal(err)
	}
	link, err := app.ShareFolder(ctx, st, "Photos/Trip/", opts)
	if err != nil || link != "https://cloud.example.com/index.php/s/AbCdEfGhIjKlMnO" {
		t.Fatalf("ShareFolder = %q, %v", link, err)
	}
	if st.path != "/Photos/Trip" || !st.expires.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)) || st.password != "correct horse" {
		t.Fatalf("asked to share %q until %v with %q", st.path, st.expires, st.password)
	}

	st.err = domain.RemoteErrorf(domain.EFORBIDDEN, "Nextcloud did not share /Photos/Trip: Password needs to be at least 10 characters long.")
	if _, err := app.ShareFolder(ctx, st, "/Photos/Trip", opts); domain.ErrorCode(err) != domain.EFORBIDDEN ||
		!strings.Contains(domain.ErrorMessage(err), "at least 10 characters") {
		t.Fatalf("a refused share: %v", err)
	}
	plain := memory.NewRemote(memory.NewServer(clock))
	if _, err := app.ShareFolder(ctx, plain, "/Photos", domain.ShareOptions{}); domain.ErrorCode(err) != domain.EINVALID ||
		!strings.Contains(domain.ErrorMessage(err), "only Nextcloud") {
		t.Fatalf("a storage without links: %v", err)
	}
}

func TestPrepareShare(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	nc := domain.Account{Name: "Cloud", Type: domain.TypeNextcloud}
	for _, c := range []struct {
		a    domain.Account
		opts domain.ShareOptions
		want string
	}{
		{nc, domain.ShareOptions{}, ""},
		{nc, domain.ShareOptions{Expires: now.AddDate(0, 0, 1)}, ""},
		{nc, domain.ShareOptions{Expires: now}, "choose a day after today"},
		{nc, domain.ShareOptions{Password: "tab\there"}, "share password"},
		{domain.Account{Name: "NAS", Type: domain.TypeWebDAV}, domain.ShareOptions{}, "NAS is not a Nextcloud server"},
	} {
		err := app.PrepareShare(c.a, &c.opts, now)
		if (c.want == "") != (err == nil) || (err != nil && (domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), c.want))) {
			t.Errorf("PrepareShare(%s, %+v) = %v, want %q", c.a.Type, c.opts, err, c.want)
		}
	}
}
