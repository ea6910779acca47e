package domain_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/photosync/photosync/domain"
)

func TestNumberedName(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"IMG_1.jpg", 0, "IMG_1.jpg"},
		{"IMG_1.jpg", 1, "IMG_1 (1).jpg"},
		{"IMG_1.JPG", 12, "IMG_1 (12).JPG"},
		{"archive.tar.gz", 1, "archive.tar (1).gz"},
		{"README", 2, "README (2)"},
		{".xmp", 1, ".xmp (1)"},
		{"odd.", 1, "odd. (1)"},
		{"2015-02-04(1).jpg", 1, "2015-02-04(1) (1).jpg"},
		{"Été 2024.mov", 3, "Été 2024 (3).mov"},
	}
	for _, tt := range tests {
		if got := domain.NumberedName(tt.name, tt.n); got != tt.want {
			t.Errorf("NumberedName(%q, %d) = %q, want %q", tt.name, tt.n, got, tt.want)
		}
	}
}

func TestNameNumber(t *testing.T) {
	tests := []struct {
		name, cand string
		n          int
		ok         bool
	}{
		{"IMG_1.jpg", "IMG_1.jpg", 0, true},
		{"IMG_1.jpg", "img_1.JPG", 0, true},
		{"IMG_1.jpg", "IMG_1 (1).jpg", 1, true},
		{"IMG_1.jpg", "img_1 (27).Jpg", 27, true},
		{"archive.tar.gz", "archive.tar (2).gz", 2, true},
		{"README", "README (4)", 4, true},
		{"IMG_1.jpg", "IMG_1 (0).jpg", 0, false},
		{"IMG_1.jpg", "IMG_1 (01).jpg", 0, false},
		{"IMG_1.jpg", "IMG_1 ().jpg", 0, false},
		{"IMG_1.jpg", "IMG_1 (x).jpg", 0, false},
		{"IMG_1.jpg", "IMG_1(1).jpg", 0, false},
		{"IMG_1.jpg", "IMG_1 (1).png", 0, false},
		{"IMG_1.jpg", "IMG_10.jpg", 0, false},
		{"IMG_1.jpg", "IMG_1 (1) (1).jpg", 0, false},
	}
	for _, tt := range tests {
		n, ok := domain.NameNumber(tt.name, tt.cand)
		if n != tt.n || ok != tt.ok {
			t.Errorf("NameNumber(%q, %q) = %d, %v; want %d, %v", tt.name, tt.cand, n, ok, tt.n, tt.ok)
		}
		if tt.ok && tt.n > 0 && domain.FoldName(domain.NumberedName(tt.name, n)) != domain.FoldName(tt.cand) {
			t.Errorf("NumberedName(%q, %d) does not give back %q", tt.name, n, tt.cand)
		}
	}
}

func TestUnnumberedName(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_1 (2).jpg":         "IMG_1.jpg",
		"IMG_1 (2) (3).JPG":     "IMG_1 (2).JPG",
		"IMG_1.jpg":             "IMG_1.jpg",
		"IMG_1 (0).jpg":         "IMG_1 (0).jpg",
		"IMG_1 (x).jpg":         "IMG_1 (x).jpg",
		"IMG_1(2).jpg":          "IMG_1(2).jpg",
		"archive.tar (1).gz":    "archive.tar.gz",
		"README (4)":            "README",
		" (1).jpg":              " (1).jpg", // ".jpg" numbered is ".jpg (1)"
		"2015-02-04(1) (1).jpg": "2015-02-04(1).jpg",
	} {
		if got := domain.UnnumberedName(in); got != want {
			t.Errorf("UnnumberedName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlanNames(t *testing.T) {
	const a, b, c = "aaaa", "bbbb", "cccc"
	tests := []struct {
		name  string
		taken []domain.TakenName
		reqs  []domain.NameRequest
		want  []domain.NamePlan
	}{
		{
			name: "empty folder keeps names",
			reqs: []domain.NameRequest{{"IMG_1.jpg", 4, a}, {"IMG_1.dng", 5, b}},
			want: []domain.NamePlan{{"IMG_1.jpg", false}, {"IMG_1.dng", false}},
		},
		{
			name: "two files named alike in one upload",
			reqs: []domain.NameRequest{{"IMG_1.jpg", 4, a}, {"IMG_1.jpg", 4, b}, {"img_1.JPG", 4, c}},
			want: []domain.NamePlan{{"IMG_1.jpg", false}, {"IMG_1 (1).jpg", false}, {"img_1 (2).JPG", false}},
		},
		{
			name:  "same content there is present",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 4, SHA1: a}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1.jpg", true}},
		},
		{
			name:  "present under another case keeps the server's name",
			taken: []domain.TakenName{{Name: "img_1.jpg", Size: 4, SHA1: "AAAA"}},
			reqs:  []domain.NameRequest{{"IMG_1.JPG", 4, a}},
			want:  []domain.NamePlan{{"img_1.jpg", true}},
		},
		{
			name:  "other content gets a number",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 4, SHA1: b}, {Name: "IMG_1 (1).jpg", Size: 9}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1 (2).jpg", false}},
		},
		{
			name:  "same size, unknown checksum is not the same",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 4}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1 (1).jpg", false}},
		},
		{
			name:  "unknown content of the request is never present",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 4, SHA1: a}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, ""}},
			want:  []domain.NamePlan{{"IMG_1 (1).jpg", false}},
		},
		{
			name:  "same checksum other size is not the same",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 3, SHA1: a}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1 (1).jpg", false}},
		},
		{
			name:  "a folder takes a name",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", IsDir: true}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1 (1).jpg", false}},
		},
		{
			name: "second upload after a clash finds both",
			taken: []domain.TakenName{
				{Name: "IMG_1.jpg", Size: 4, SHA1: a},
				{Name: "IMG_1 (1).jpg", Size: 4, SHA1: b},
			},
			reqs: []domain.NameRequest{{"IMG_1.jpg", 4, b}, {"IMG_1.jpg", 4, a}},
			want: []domain.NamePlan{{"IMG_1 (1).jpg", true}, {"IMG_1.jpg", true}},
		},
		{
			name:  "two identical files each get their own remote file",
			taken: []domain.TakenName{{Name: "IMG_1.jpg", Size: 4, SHA1: a}},
			reqs:  []domain.NameRequest{{"IMG_1.jpg", 4, a}, {"IMG_1.jpg", 4, a}},
			want:  []domain.NamePlan{{"IMG_1.jpg", true}, {"IMG_1 (1).jpg", false}},
		},
		{
			name:  "double extension numbers before the last",
			taken: []domain.TakenName{{Name: "archive.tar.gz", Size: 1}},
			reqs:  []domain.NameRequest{{"archive.tar.gz", 4, a}},
			want:  []domain.NamePlan{{"archive.tar (1).gz", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.PlanNames(tt.taken, tt.reqs)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("PlanNames = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPlanNamesTwice: planning again against what a first plan put in the
// folder finds every file present, whatever the order of the requests.
func TestPlanNamesTwice(t *testing.T) {
	reqs := []domain.NameRequest{{"IMG_1.jpg", 4, "a"}, {"IMG_1.jpg", 5, "b"}, {"img_1.jpg", 6, "c"}, {"IMG_2.jpg", 4, "a"}}
	first := domain.PlanNames(nil, reqs)
	var taken []domain.TakenName
	for i, p := range first {
		if p.Present {
			t.Fatalf("first plan: %v present in an empty folder", p)
		}
		taken = append(taken, domain.TakenName{Name: p.Name, Size: reqs[i].Size, SHA1: reqs[i].SHA1})
	}
	reversed := []domain.NameRequest{reqs[3], reqs[2], reqs[1], reqs[0]}
	for i, p := range domain.PlanNames(taken, reversed) {
		if !p.Present {
			t.Errorf("second plan: %v for %v is not present", p, reversed[i])
		}
	}
}

func TestMadeNamesStayWithin255Bytes(t *testing.T) {
	long := strings.Repeat("é", 126) + ".jpeg" // 252 + 5 bytes
	for _, got := range []string{
		domain.NumberedName("a/"+long, 12),
		domain.ConflictName("a/"+long, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
	} {
		base := got[strings.LastIndexByte(got, '/')+1:]
		if len(base) > domain.MaxNameBytes || !utf8.ValidString(base) || !strings.HasSuffix(base, ").jpeg") || !strings.HasPrefix(got, "a/é") {
			t.Errorf("%q: %d bytes", got, len(base))
		}
	}
	if got := domain.NumberedName("a/IMG_1.jpg", 2); got != "a/IMG_1 (2).jpg" {
		t.Errorf("a short name was changed: %q", got)
	}
}
