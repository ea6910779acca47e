package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func valid() domain.Account {
	a := domain.NewAccount()
	a.Name, a.URL, a.Username = "home", "cloud.example.com", "alice"
	return a
}

func TestAccountNormalizeCleans(t *testing.T) {
	a := valid()
	a.Name = "  home  "
	a.UploadFolder = "Photos/2024/"
	a.SyncFolder = ""
	a.Timeout = 0
	a.UploadSize = ""
	a.Status = ""
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if a.Name != "home" || a.URL != "https://cloud.example.com/" || a.UploadFolder != "/Photos/2024" ||
		a.SyncFolder != domain.DefaultFolder || a.Timeout != domain.DefaultTimeout || a.UploadSize != domain.SizeOriginal || a.Status != domain.StatusOK {
		t.Fatalf("not cleaned: %+v", a)
	}
}

func TestAccountNormalizeRules(t *testing.T) {
	tests := []struct {
		name  string
		field string
		edit  func(*domain.Account)
	}{
		{"no name", "name", func(a *domain.Account) { a.Name = " " }},
		{"long name", "name", func(a *domain.Account) { a.Name = strings.Repeat("x", 101) }},
		{"control in name", "name", func(a *domain.Account) { a.Name = "a\nb" }},
		{"bad url", "URL", func(a *domain.Account) { a.URL = "ftp://x" }},
		{"bad type", "type", func(a *domain.Account) { a.Type = "s3" }},
		{"colon in user", "username", func(a *domain.Account) { a.Username = "a:b" }},
		{"short timeout", "timeout", func(a *domain.Account) { a.Timeout = time.Millisecond }},
		{"long timeout", "timeout", func(a *domain.Account) { a.Timeout = time.Hour }},
		{"negative retries", "retry_limit", func(a *domain.Account) { a.RetryLimit = -1 }},
		{"many retries", "retry_limit", func(a *domain.Account) { a.RetryLimit = 101 }},
		{"upload folder ..", "upload_folder", func(a *domain.Account) { a.UploadFolder = "/a/../../etc" }},
		{"sync folder control", "sync_folder", func(a *domain.Account) { a.SyncFolder = "/a\x01" }},
		{"upload size", "upload_size", func(a *domain.Account) { a.UploadSize = "fit_99" }},
		{"negative interval", "sync_interval", func(a *domain.Account) { a.SyncInterval = -time.Second }},
		{"tiny interval", "sync_interval", func(a *domain.Account) { a.SyncInterval = time.Second }},
		{"sync without direction", "sync", func(a *domain.Account) { a.SyncEnabled, a.SyncDownload, a.SyncUpload = true, false, false }},
		{"big CA", "ca_cert", func(a *domain.Account) { a.CACert = strings.Repeat("x", 65<<10) }},
		{"status", "status", func(a *domain.Account) { a.Status = "weird" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.edit(&a)
			err := a.Normalize()
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if !strings.Contains(domain.ErrorMessage(err), tt.field) {
				t.Fatalf("message %q does not name %s", domain.ErrorMessage(err), tt.field)
			}
		})
	}
}

func TestAccountNormalizeAccepts(t *testing.T) {
	for _, edit := range []func(*domain.Account){
		func(a *domain.Account) { a.SyncInterval = 0 },
		func(a *domain.Account) { a.SyncInterval = time.Hour; a.SyncEnabled = true },
		func(a *domain.Account) { a.SyncEnabled, a.SyncUpload = true, false },
		func(a *domain.Account) { a.UploadSize = domain.SizeFit4096 },
		func(a *domain.Account) { a.RetryLimit = 0 },
		func(a *domain.Account) { a.Type = domain.TypeNextcloud },
		func(a *domain.Account) { a.Username = "" },
	} {
		a := valid()
		edit(&a)
		if err := a.Normalize(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func TestNewAccountDefaults(t *testing.T) {
	a := domain.NewAccount()
	if a.SyncEnabled || !a.SyncDownload || !a.SyncUpload || !a.SyncPreserveNames || !a.SyncRaw || !a.SyncVideo || !a.UploadEnabled {
		t.Fatalf("defaults: %+v", a)
	}
	if a.HasPassword() {
		t.Fatal("new account has a password")
	}
}
