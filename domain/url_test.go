package domain_test

import (
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"cloud.example.com", "https://cloud.example.com/"},
		{"  Cloud.Example.COM/nextcloud ", "https://cloud.example.com/nextcloud/"},
		{"HTTP://NAS.local:8080/dav", "http://nas.local:8080/dav/"},
		{"https://example.com:443/", "https://example.com/"},
		{"http://example.com:80", "http://example.com/"},
		{"https://example.com/remote.php/dav/files/Alice/", "https://example.com/remote.php/dav/files/Alice/"},
		{"https://[::1]:8443/dav", "https://[::1]:8443/dav/"},
		{"http://127.0.0.1:2343/a%20b", "http://127.0.0.1:2343/a%20b/"},
		{"https://example.com/Fotos%2Fx/", "https://example.com/Fotos%2Fx/"},
	}
	for _, tt := range tests {
		got, err := domain.NormalizeURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeURLRefuses(t *testing.T) {
	for _, in := range []string{
		"", "   ", "ftp://example.com", "https://", "https://user:pw@example.com/",
		"https://example.com/?a=b", "https://example.com/#frag", "https://example.com/a/../b",
		"https://exa\x00mple.com", "javascript:alert(1)", "https://example.com/a\nb",
	} {
		got, err := domain.NormalizeURL(in)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("NormalizeURL(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
}
