package domain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"IMG_1234.JPG", "IMG_1234"},
		{"dir/IMG_1234.JPG.xmp", "IMG_1234"},
		{"IMG_1234.xmp", "IMG_1234"},
		{"IMG_1234.HEIC.json", "IMG_1234"},
		{"a.b.jpg", "a.b"},
		{"notes.txt", "notes.txt"},
		{"archive.tar.jpg", "archive.tar"},
		{"IMG.jpg.jpg", "IMG"},
		{".jpg", ".jpg"},
		{"README", "README"},
		{"2015-02-04(1).jpg", "2015-02-04(1)"},
	}
	for _, tt := range tests {
		if got := domain.Stem(tt.in); got != tt.want {
			t.Errorf("Stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// lf makes a present library file of the kind its name says, taken at
// 2020-01-01 plus n minutes, n being its position in the test's list.
func lf(path string, n int) domain.LibraryFile {
	return domain.LibraryFile{
		Path: path, Kind: domain.KindOf(path), Size: 100,
		TakenAt: time.Date(2020, 1, 1, 0, n, 0, 0, time.UTC), TakenSource: domain.TakenFromEXIF,
	}
}

// describe writes photos as "key: path=role path=role" lines and loose
// files as "loose: path (problem)" lines, in the order Stack returns them.
func describe(photos []domain.Photo, loose []domain.LibraryFile) []string {
	var out []string
	for _, p := range photos {
		var parts []string
		for _, f := range p.Files {
			parts = append(parts, fmt.Sprintf("%s=%s", f.Path, f.Role))
		}
		out = append(out, fmt.Sprintf("%s [%s]: %s", p.Key, p.Name, strings.Join(parts, " ")))
	}
	for _, f := range loose {
		out = append(out, fmt.Sprintf("loose: %s (%s) role=%q", f.Path, f.Problem, f.Role))
	}
	return out
}

func TestStack(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		// problem marks files by path with a problem before stacking.
		problem map[string]string
		want    []string
	}{
		{
			name:  "RAW with sidecar",
			files: []string{"canon_eos_6d.dng", "canon_eos_6d.xmp"},
			want:  []string{"/canon_eos_6d [canon_eos_6d]: canon_eos_6d.dng=primary canon_eos_6d.xmp=sidecar"},
		},
		{
			name:  "JPEG, RAW, live video, sidecars of both shapes, case-insensitive",
			files: []string{"2020/IMG_1234.JPG", "2020/img_1234.cr2", "2020/IMG_1234.MOV", "2020/IMG_1234.JPG.xmp", "2020/IMG_1234.aae"},
			want: []string{"2020/img_1234 [IMG_1234]: 2020/IMG_1234.JPG=primary 2020/img_1234.cr2=raw 2020/IMG_1234.MOV=video " +
				"2020/IMG_1234.JPG.xmp=sidecar 2020/IMG_1234.aae=sidecar"},
		},
		{
			name:  "edited copy joins its original",
			files: []string{"IMG_4120.JPG", "IMG_E4120.JPG", "IMG_E4120.MOV"},
			want:  []string{"/img_4120 [IMG_4120]: IMG_4120.JPG=primary IMG_E4120.JPG=edited IMG_E4120.MOV=video"},
		},
		{
			name:  "edited copy in lower case joins too",
			files: []string{"img_4120.jpg", "img_e4120.jpg"},
			want:  []string{"/img_4120 [img_4120]: img_4120.jpg=primary img_e4120.jpg=edited"},
		},
		{
			name:  "edited copy alone is a photo",
			files: []string{"IMG_E4120.JPG", "IMG_4121.JPG"},
			want:  []string{"/img_4121 [IMG_4121]: IMG_4121.JPG=primary", "/img_e4120 [IMG_E4120]: IMG_E4120.JPG=primary"},
		},
		{
			name:  "edited copy in another folder stays apart",
			files: []string{"a/IMG_4120.JPG", "b/IMG_E4120.JPG"},
			want:  []string{"a/img_4120 [IMG_4120]: a/IMG_4120.JPG=primary", "b/img_e4120 [IMG_E4120]: b/IMG_E4120.JPG=primary"},
		},
		{
			name:  "edited copy becomes primary beside a lone sidecar of its original",
			files: []string{"IMG_4120.AAE", "IMG_E4120.JPG"},
			want:  []string{"/img_4120 [IMG_E4120]: IMG_E4120.JPG=primary IMG_4120.AAE=sidecar"},
		},
		{
			name:  "not an edited copy",
			files: []string{"IMG_4120.JPG", "IMG_EDIT.JPG", "IMG_E.JPG"},
			want: []string{"/img_4120 [IMG_4120]: IMG_4120.JPG=primary", "/img_e [IMG_E]: IMG_E.JPG=primary",
				"/img_edit [IMG_EDIT]: IMG_EDIT.JPG=primary"},
		},
		{
			name:  "JPEG wins over HEIC, the HEIC is another image",
			files: []string{"IMG_1.HEIC", "IMG_1.JPG", "IMG_1.HEIC.xmp"},
			want:  []string{"/img_1 [IMG_1]: IMG_1.JPG=primary IMG_1.HEIC=image IMG_1.HEIC.xmp=sidecar"},
		},
		{
			name:  "without a JPEG the first image by path",
			files: []string{"x.png", "x.heic"},
			want:  []string{"/x [x]: x.heic=primary x.png=image"},
		},
		{
			name:  "two RAW files and a video: the first RAW is primary",
			files: []string{"d.nef", "d.dng", "d.mp4"},
			want:  []string{"/d [d]: d.dng=primary d.nef=raw d.mp4=video"},
		},
		{
			name:  "video alone is primary",
			files: []string{"christmas.mp4", "earth.mov", "earth.json"},
			want:  []string{"/christmas [christmas]: christmas.mp4=primary", "/earth [earth]: earth.mov=primary earth.json=sidecar"},
		},
		{
			name:  "sidecars alone are orphans",
			files: []string{"lost.xmp", "lost.JPG.json", "kept.jpg"},
			want:  []string{"/kept [kept]: kept.jpg=primary", `loose: lost.JPG.json (sidecar without a photo) role=""`, `loose: lost.xmp (sidecar without a photo) role=""`},
		},
		{
			name:    "files with problems are loose; their sidecars become orphans",
			files:   []string{"empty.jpg", "broken.jpg", "broken.xmp", "ok.jpg", "ok.dng"},
			problem: map[string]string{"empty.jpg": domain.ProblemEmpty, "broken.jpg": domain.ProblemCorrupt, "ok.dng": domain.ProblemUnreadable},
			want: []string{"/ok [ok]: ok.jpg=primary", `loose: broken.jpg (corrupt or truncated) role=""`,
				`loose: broken.xmp (sidecar without a photo) role=""`, `loose: empty.jpg (empty file (0 bytes)) role=""`,
				`loose: ok.dng (cannot be read) role=""`},
		},
		{
			name:  "copies with a suffix are photos of their own",
			files: []string{"2015-02-04.jpg", "2015-02-04(1).jpg"},
			want:  []string{"/2015-02-04 [2015-02-04]: 2015-02-04.jpg=primary", "/2015-02-04(1) [2015-02-04(1)]: 2015-02-04(1).jpg=primary"},
		},
		{
			name:  "same name in two folders",
			files: []string{"a/x.jpg", "a/b/x.jpg"},
			want:  []string{"a/b/x [x]: a/b/x.jpg=primary", "a/x [x]: a/x.jpg=primary"},
		},
		{name: "nothing", files: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []domain.LibraryFile
			for i, p := range tt.files {
				f := lf(p, i)
				f.Role, f.PhotoID = domain.RoleRaw, 99 // stale values from an earlier index
				f.Problem = tt.problem[p]
				files = append(files, f)
			}
			photos, loose := domain.Stack(files)
			got := describe(photos, loose)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Stack(%q)\n got: %q\nwant: %q", tt.files, got, tt.want)
			}
			for _, p := range photos {
				primary, ok := p.Primary()
				if !ok || !p.TakenAt.Equal(primary.TakenAt) {
					t.Errorf("photo %s: TakenAt %v, primary %v (%v)", p.Key, p.TakenAt, primary.TakenAt, ok)
				}
				for _, f := range p.Files {
					if f.PhotoID != 0 {
						t.Errorf("file %s kept the stale PhotoID %d", f.Path, f.PhotoID)
					}
				}
			}
		})
	}
}

func TestStackIsDeterministic(t *testing.T) {
	paths := []string{"IMG_4120.JPG", "IMG_E4120.JPG", "IMG_4120.HEIC", "IMG_4120.dng", "x.xmp", "IMG_4120.MOV"}
	var first []string
	for i := range 20 {
		var files []domain.LibraryFile
		for j := range paths {
			p := paths[(i+j)%len(paths)]
			files = append(files, lf(p, 0))
		}
		got := describe(domain.Stack(files))
		if first == nil {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("rotation %d: %q, first %q", i, got, first)
		}
	}
}

func TestSortFiles(t *testing.T) {
	files := []domain.LibraryFile{
		{Path: "b.xmp", Role: domain.RoleSidecar}, {Path: "b.mov", Role: domain.RoleVideo},
		{Path: "b.nef", Role: domain.RoleRaw}, {Path: "a.dng", Role: domain.RoleRaw},
		{Path: "b.heic", Role: domain.RoleImage}, {Path: "e.jpg", Role: domain.RoleEdited},
		{Path: "b.jpg", Role: domain.RolePrimary}, {Path: "z", Role: ""},
	}
	domain.SortFiles(files)
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	want := []string{"b.jpg", "e.jpg", "b.heic", "a.dng", "b.nef", "b.mov", "b.xmp", "z"}
	if !slices.Equal(got, want) {
		t.Errorf("SortFiles: %q, want %q", got, want)
	}
}
