package domain_test

import (
	"reflect"
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestSelectUploadFiles(t *testing.T) {
	photo := domain.Photo{Files: []domain.LibraryFile{
		{Path: "a/IMG_1.xmp", Kind: domain.KindSidecar, Role: domain.RoleSidecar},
		{Path: "a/IMG_1.MOV", Kind: domain.KindVideo, Role: domain.RoleVideo},
		{Path: "a/IMG_1.DNG", Kind: domain.KindRaw, Role: domain.RoleRaw},
		{Path: "a/IMG_E1.JPG", Kind: domain.KindImage, Role: domain.RoleEdited},
		{Path: "a/IMG_1.JPG", Kind: domain.KindImage, Role: domain.RolePrimary},
		{Path: "a/IMG_1.aae", Kind: domain.KindSidecar, Role: domain.RoleSidecar},
		{Path: "a/IMG_1.HEIC", Kind: domain.KindImage, Role: domain.RoleImage},
	}}
	all := domain.DefaultUploadOptions("/Photos")
	tests := []struct {
		name string
		edit func(*domain.UploadOptions)
		want []string
	}{
		{"everything", func(*domain.UploadOptions) {}, []string{"a/IMG_1.JPG", "a/IMG_E1.JPG", "a/IMG_1.HEIC", "a/IMG_1.DNG", "a/IMG_1.MOV", "a/IMG_1.aae", "a/IMG_1.xmp"}},
		{"no raw", func(o *domain.UploadOptions) { o.IncludeRaw = false }, []string{"a/IMG_1.JPG", "a/IMG_E1.JPG", "a/IMG_1.HEIC", "a/IMG_1.MOV", "a/IMG_1.aae", "a/IMG_1.xmp"}},
		{"no video", func(o *domain.UploadOptions) { o.IncludeVideo = false }, []string{"a/IMG_1.JPG", "a/IMG_E1.JPG", "a/IMG_1.HEIC", "a/IMG_1.DNG", "a/IMG_1.aae", "a/IMG_1.xmp"}},
		{"no sidecars", func(o *domain.UploadOptions) { o.IncludeSidecars = false }, []string{"a/IMG_1.JPG", "a/IMG_E1.JPG", "a/IMG_1.HEIC", "a/IMG_1.DNG", "a/IMG_1.MOV"}},
		{"images only", func(o *domain.UploadOptions) {
			o.IncludeRaw, o.IncludeVideo, o.IncludeSidecars = false, false, false
		}, []string{"a/IMG_1.JPG", "a/IMG_E1.JPG", "a/IMG_1.HEIC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := all
			tt.edit(&opts)
			var got []string
			for _, f := range domain.SelectUploadFiles(photo, opts) {
				got = append(got, f.Path)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSelectUploadFilesPrimaryRaw: a photo that is only a RAW file has it as
// its primary, which is sent even without include_raw.
func TestSelectUploadFilesPrimaryRaw(t *testing.T) {
	photo := domain.Photo{Files: []domain.LibraryFile{{Path: "x.dng", Kind: domain.KindRaw, Role: domain.RolePrimary}}}
	opts := domain.DefaultUploadOptions("/")
	opts.IncludeRaw = false
	if got := domain.SelectUploadFiles(photo, opts); len(got) != 1 {
		t.Fatalf("got %v, want the primary RAW file", got)
	}
}

func TestUploadProblem(t *testing.T) {
	tests := []struct {
		name string
		f    domain.LibraryFile
		want string
	}{
		{"fine", domain.LibraryFile{Size: 10}, ""},
		{"empty", domain.LibraryFile{Size: 0}, domain.ProblemEmpty},
		{"problem", domain.LibraryFile{Size: 10, Problem: domain.ProblemCorrupt}, domain.ProblemCorrupt},
		{"missing", domain.LibraryFile{Size: 10, Missing: true}, domain.ProblemMissing},
		{"empty with its problem", domain.LibraryFile{Problem: domain.ProblemEmpty}, domain.ProblemEmpty},
	}
	for _, tt := range tests {
		if got := domain.UploadProblem(tt.f); got != tt.want {
			t.Errorf("%s: UploadProblem = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestResizable(t *testing.T) {
	tests := []struct {
		path string
		kind domain.Kind
		want bool
	}{
		{"a/IMG_1.JPG", domain.KindImage, true},
		{"a/x.jpeg", domain.KindImage, true},
		{"a/x.png", domain.KindImage, false},
		{"a/x.heic", domain.KindImage, false},
		{"a/x.dng", domain.KindRaw, false},
		{"a/x.mov", domain.KindVideo, false},
	}
	for _, tt := range tests {
		if got := domain.Resizable(domain.LibraryFile{Path: tt.path, Kind: tt.kind}); got != tt.want {
			t.Errorf("Resizable(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestFitSide(t *testing.T) {
	for size, want := range map[string]int{"original": 0, "fit_720": 720, "fit_4096": 4096, "fit_x": 0, "fit_-1": 0, "": 0} {
		if got := domain.FitSide(size); got != want {
			t.Errorf("FitSide(%q) = %d, want %d", size, got, want)
		}
	}
	for _, s := range domain.UploadSizes[1:] {
		if domain.FitSide(s) == 0 {
			t.Errorf("FitSide(%q) = 0", s)
		}
	}
}

func TestUploadOptionsNormalize(t *testing.T) {
	o := domain.UploadOptions{Folder: "Photos//2024/", Size: domain.SizeFit720}
	if err := o.Normalize(); err != nil || o.Folder != "/Photos/2024" {
		t.Fatalf("Normalize = %v, folder %q", err, o.Folder)
	}
	for _, bad := range []domain.UploadOptions{
		{Folder: "", Size: domain.SizeOriginal},
		{Folder: "/a/../b", Size: domain.SizeOriginal},
		{Folder: "/a", Size: "fit_100"},
		{Folder: "/a", Size: ""},
	} {
		if err := bad.Normalize(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Normalize(%+v) = %v, want EINVALID", bad, err)
		}
	}
}

func TestUploadRecordValidate(t *testing.T) {
	ok := domain.UploadRecord{FileID: 1, AccountID: 2, RemotePath: "/Photos/a.jpg"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v", ok, err)
	}
	for _, edit := range []func(*domain.UploadRecord){
		func(r *domain.UploadRecord) { r.FileID = 0 },
		func(r *domain.UploadRecord) { r.AccountID = -1 },
		func(r *domain.UploadRecord) { r.RemotePath = "Photos/a.jpg" },
		func(r *domain.UploadRecord) { r.RemotePath = "/Photos/a.jpg/" },
		func(r *domain.UploadRecord) { r.RemotePath = "/" },
		func(r *domain.UploadRecord) { r.RemotePath = "/a/../b.jpg" },
	} {
		r := ok
		edit(&r)
		if err := r.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Validate(%+v) = %v, want EINVALID", r, err)
		}
	}
}

func TestUploadAs(t *testing.T) {
	img := func(p string, w, h int) domain.LibraryFile {
		return domain.LibraryFile{Path: p, Kind: domain.KindOf(p), Width: w, Height: h}
	}
	for _, tt := range []struct {
		f       domain.LibraryFile
		side    int
		name    string
		resized bool
	}{
		{img("a/IMG_1.JPG", 4000, 3000), 0, "IMG_1.JPG", false},
		{img("a/IMG_1.JPG", 4000, 3000), 1920, "IMG_1.JPG", true},
		{img("a/IMG_2.HEIC", 4032, 3024), 1920, "IMG_2.jpg", true},
		{img("a/IMG_2.HEIC", 4032, 3024), 0, "IMG_2.HEIC", false},
		{img("a/IMG_3.avif", 1200, 800), 1920, "IMG_3.avif", false}, // fits: sent as it is
		{img("a/IMG_4.heif", 0, 0), 720, "IMG_4.heif", false},       // size unknown: as it is
		{img("a/scan.png", 5000, 5000), 720, "scan.png", false},
		{img("a/IMG_5.DNG", 6000, 4000), 720, "IMG_5.DNG", false},
	} {
		name, resized := domain.UploadAs(tt.f, tt.side)
		if name != tt.name || resized != tt.resized {
			t.Errorf("UploadAs(%s %dx%d, %d) = %q, %v; want %q, %v", tt.f.Path, tt.f.Width, tt.f.Height, tt.side, name, resized, tt.name, tt.resized)
		}
	}
}
