package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestNormalizedName(t *testing.T) {
	taken := time.Date(2021, 3, 4, 5, 6, 7, 890, time.UTC)
	sha := "ABCDEF0123456789abcdef0123456789abcdef01"
	tests := []struct {
		name      string
		taken     time.Time
		sha1, ext string
		want      string
	}{
		{name: "upper-case extension with its dot", taken: taken, sha1: sha, ext: ".JPG", want: "2021/03/20210304_050607_abcdef01.jpg"},
		{name: "extension without a dot", taken: taken, sha1: sha, ext: "heic", want: "2021/03/20210304_050607_abcdef01.heic"},
		{name: "RAW extension with digits", taken: taken, sha1: sha, ext: ".CR3", want: "2021/03/20210304_050607_abcdef01.cr3"},
		{name: "short checksum used as it is", taken: taken, sha1: "0a1B", ext: ".jpg", want: "2021/03/20210304_050607_0a1b.jpg"},
		{name: "no checksum", taken: taken, sha1: "", ext: ".jpg", want: "2021/03/20210304_050607.jpg"},
		{name: "no extension", taken: taken, sha1: sha, ext: "", want: "2021/03/20210304_050607_abcdef01"},
		{name: "slashes and dots in the checksum are dropped", taken: taken, sha1: "../ab/cd", ext: ".jpg", want: "2021/03/20210304_050607_abcd.jpg"},
		{name: "slashes and dots in the extension are dropped", taken: taken, sha1: sha, ext: "./../Mp4", want: "2021/03/20210304_050607_abcdef01.mp4"},
		{name: "December the 31st, late", taken: time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC), sha1: sha, ext: ".mov", want: "1999/12/19991231_235959_abcdef01.mov"},
		{name: "formatted in the time's own zone", taken: time.Date(2021, 1, 1, 0, 30, 0, 0, time.FixedZone("X", 3600)), sha1: sha, ext: ".jpg", want: "2021/01/20210101_003000_abcdef01.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.NormalizedName(tt.taken, tt.sha1, tt.ext); got != tt.want {
				t.Errorf("NormalizedName(%v, %q, %q) = %q, want %q", tt.taken, tt.sha1, tt.ext, got, tt.want)
			}
		})
	}
}

func TestConflictName(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct{ in, want string }{
		{"nextcloud/2020/IMG_1.JPG", "nextcloud/2020/IMG_1 (conflict 2024-05-06 070809).JPG"},
		{"a.jpg", "a (conflict 2024-05-06 070809).jpg"},
		{"/Photos/IMG_1.JPG.xmp", "/Photos/IMG_1.JPG (conflict 2024-05-06 070809).xmp"},
		{"dir/README", "dir/README (conflict 2024-05-06 070809)"},
	}
	for _, tt := range tests {
		if got := domain.ConflictName(tt.in, at); got != tt.want {
			t.Errorf("ConflictName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDownloadPath(t *testing.T) {
	tests := []struct {
		name           string
		folder, dlDir  string
		remote         string
		want           string
		wantErrContain string
	}{
		{name: "below the sync folder", folder: "/Photos", dlDir: "nextcloud", remote: "/Photos/2020/a.jpg", want: "nextcloud/2020/a.jpg"},
		{name: "root sync folder", folder: "/", dlDir: "nextcloud", remote: "/a.jpg", want: "nextcloud/a.jpg"},
		{name: "empty sync folder is the root", folder: "", dlDir: "nextcloud", remote: "/x/a.jpg", want: "nextcloud/x/a.jpg"},
		{name: "download folder at the library root", folder: "/Photos", dlDir: "", remote: "/Photos/a.jpg", want: "a.jpg"},
		{name: "download folder with slashes", folder: "/Photos", dlDir: "/sync/nc/", remote: "/Photos/a.jpg", want: "sync/nc/a.jpg"},
		{name: "names kept as they are", folder: "/Photos", dlDir: "nc", remote: "/Photos/Été 2020/IMG 1 (2).JPG", want: "nc/Été 2020/IMG 1 (2).JPG"},
		{name: "climbing out", folder: "/Photos", dlDir: "nc", remote: "/Photos/a/../../x.jpg", wantErrContain: ".."},
		{name: "dot part", folder: "/Photos", dlDir: "nc", remote: "/Photos/./x.jpg", wantErrContain: "not clean"},
		{name: "empty part", folder: "/Photos", dlDir: "nc", remote: "/Photos//x.jpg", wantErrContain: "not clean"},
		{name: "no leading slash", folder: "/Photos", dlDir: "nc", remote: "Photos/x.jpg", wantErrContain: "not clean"},
		{name: "backslash", folder: "/Photos", dlDir: "nc", remote: `/Photos/..\x.jpg`, wantErrContain: "backslash"},
		{name: "control character", folder: "/Photos", dlDir: "nc", remote: "/Photos/a\nb.jpg", wantErrContain: "control"},
		{name: "sibling folder with the same prefix", folder: "/Photos", dlDir: "nc", remote: "/Photos2/a.jpg", wantErrContain: "not below"},
		{name: "the sync folder itself", folder: "/Photos", dlDir: "nc", remote: "/Photos", wantErrContain: "not below"},
		{name: "hostile download folder", folder: "/Photos", dlDir: "../outside", remote: "/Photos/a.jpg", wantErrContain: "download folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := domain.SyncSettings{Folder: tt.folder, DownloadFolder: tt.dlDir}
			got, err := domain.DownloadPath(s, tt.remote)
			if tt.wantErrContain != "" {
				if err == nil || domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.wantErrContain) {
					t.Fatalf("DownloadPath(%q) = %q, %v; want an EINVALID error about %q", tt.remote, got, err, tt.wantErrContain)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("DownloadPath(%q) = %q, %v; want %q", tt.remote, got, err, tt.want)
			}
		})
	}
}

func TestUploadPath(t *testing.T) {
	tests := []struct{ folder, local, want string }{
		{"/Photos", "2020/a.jpg", "/Photos/2020/a.jpg"},
		{"/", "a.jpg", "/a.jpg"},
		{"", "a.jpg", "/a.jpg"},
		{"/Backup/Phone", "nextcloud/a.jpg", "/Backup/Phone/nextcloud/a.jpg"},
	}
	for _, tt := range tests {
		if got := domain.UploadPath(domain.SyncSettings{Folder: tt.folder}, tt.local); got != tt.want {
			t.Errorf("UploadPath(%q, %q) = %q, want %q", tt.folder, tt.local, got, tt.want)
		}
	}
}
