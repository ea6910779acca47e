package porttest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestLibraryStore runs the LibraryStore contract. newStore must return a
// new, empty store each time it is called.
//
// Besides the behaviour documented on ports.LibraryStore, the suite expects
// a store to keep times to the nanosecond; to set the PhotoID of the files
// of the photos SaveIndex is given; to set every saved file's
// IndexedAt to the time of the SaveIndex call that saved it last (a missing
// file keeps the one it had); to return files by domain.FileOrder and
// LibraryFiles and Problems by path; to order Photos by TakenAt, newest
// first, photos without a date last, then by ID; to match the query text
// as a substring of the folder or the name in lower case (strings.ToLower),
// % and _ being plain characters; to treat a Count below 1 as
// domain.MaxPhotoPage and a negative Offset as 0.
func TestLibraryStore(t *testing.T, newStore func(t *testing.T) ports.LibraryStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 10, 0, 0, 123456789, time.UTC)

	t.Run("SaveSetsIDsAndRoundTripsEveryField", func(t *testing.T) {
		s := newStore(t)
		p := libPhoto("2020", "IMG_1", 5, libFile("2020/IMG_1.JPG", domain.RolePrimary), libFile("2020/IMG_1.dng", domain.RoleRaw))
		full := p.Files[0]
		if zero := zeroLibraryFields(full, "ID", "PhotoID", "Problem", "Missing", "IndexedAt"); len(zero) > 0 {
			t.Fatalf("libFile leaves %v at the zero value: give the new fields a value", zero)
		}
		loose := libFile("2020/broken.jpg", "")
		loose.Problem = domain.ProblemCorrupt + ": unexpected EOF"
		photos, looseList := []domain.Photo{p}, []domain.LibraryFile{loose}
		mustSaveIndex(t, s, photos, looseList, nil, at)

		saved := photos[0]
		if saved.ID == 0 || looseList[0].ID == 0 {
			t.Fatalf("SaveIndex left IDs at 0: photo %d, loose file %d", saved.ID, looseList[0].ID)
		}
		ids := map[int64]bool{looseList[0].ID: true}
		for _, f := range saved.Files {
			if f.ID == 0 || ids[f.ID] || f.PhotoID != saved.ID {
				t.Errorf("file %s: ID %d, PhotoID %d (photo %d): want a new ID and the photo's", f.Path, f.ID, f.PhotoID, saved.ID)
			}
			ids[f.ID] = true
		}

		got := mustPhoto(t, s, saved.ID)
		want := saved
		for i := range want.Files {
			want.Files[i].IndexedAt = at
		}
		checkPhoto(t, "Photo", got, want)
		wantLoose := looseList[0]
		wantLoose.IndexedAt = at
		all := mustLibraryFiles(t, s)
		checkFiles(t, "LibraryFiles", all, []domain.LibraryFile{want.Files[0], want.Files[1], wantLoose})
		one, err := s.LibraryFile(ctx, wantLoose.ID)
		if err != nil {
			t.Fatalf("LibraryFile(%d): %v", wantLoose.ID, err)
		}
		checkFiles(t, "LibraryFile", []domain.LibraryFile{one}, []domain.LibraryFile{wantLoose})
		checkFiles(t, "Problems", mustProblems(t, s), []domain.LibraryFile{wantLoose})
		list, total := mustPhotos(t, s, domain.PhotoQuery{})
		if total != 1 || len(list) != 1 {
			t.Fatalf("Photos: %d photos, total %d; want 1, 1", len(list), total)
		}
		checkPhoto(t, "Photos", list[0], want)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Photo(ctx, 42)
		checkCode(t, "Photo(42)", err, domain.ENOTFOUND)
		_, err = s.LibraryFile(ctx, 42)
		checkCode(t, "LibraryFile(42)", err, domain.ENOTFOUND)
		if files := mustLibraryFiles(t, s); len(files) != 0 {
			t.Errorf("LibraryFiles of an empty store: %d files", len(files))
		}
		if list, total := mustPhotos(t, s, domain.PhotoQuery{}); len(list) != 0 || total != 0 {
			t.Errorf("Photos of an empty store: %d, total %d", len(list), total)
		}
	})

	t.Run("IDsAreStableAcrossSaves", func(t *testing.T) {
		s := newStore(t)
		first := []domain.Photo{
			libPhoto("", "IMG_1", 1, libFile("IMG_1.JPG", domain.RolePrimary), libFile("IMG_E1.JPG", domain.RoleEdited)),
			libPhoto("", "IMG_2", 2, libFile("IMG_2.JPG", domain.RolePrimary)),
		}
		mustSaveIndex(t, s, first, nil, nil, at)
		// The edited copy moves to IMG_2 (a contrived change of stacking),
		// IMG_1 gets a new name and date, a sidecar joins.
		second := []domain.Photo{
			libPhoto("", "IMG_1 renamed", 3, libFile("IMG_1.JPG", domain.RolePrimary), libFile("IMG_1.xmp", domain.RoleSidecar)),
			libPhoto("", "IMG_2", 2, libFile("IMG_2.JPG", domain.RolePrimary), libFile("IMG_E1.JPG", domain.RoleEdited)),
		}
		second[0].Key = first[0].Key
		later := at.Add(time.Hour)
		mustSaveIndex(t, s, second, nil, nil, later)
		for i := range second {
			if second[i].ID != first[i].ID {
				t.Errorf("photo %s: ID %d after the second save, %d before", second[i].Key, second[i].ID, first[i].ID)
			}
		}
		if a, b := second[0].Files[0].ID, first[0].Files[0].ID; a != b {
			t.Errorf("IMG_1.JPG: ID %d after the second save, %d before", a, b)
		}
		if moved := second[1].Files[1]; moved.ID != first[0].Files[1].ID || moved.PhotoID != second[1].ID {
			t.Errorf("IMG_E1.JPG: ID %d photo %d; want ID %d photo %d", moved.ID, moved.PhotoID, first[0].Files[1].ID, second[1].ID)
		}
		got := mustPhoto(t, s, second[0].ID)
		if got.Name != "IMG_1 renamed" || !got.TakenAt.Equal(second[0].TakenAt) || len(got.Files) != 2 {
			t.Errorf("photo after the second save: %s, %v, %d files", got.Name, got.TakenAt, len(got.Files))
		}
		for _, f := range got.Files {
			if !f.IndexedAt.Equal(later) {
				t.Errorf("%s: IndexedAt %v, want %v", f.Path, f.IndexedAt, later)
			}
		}
		if n := len(mustLibraryFiles(t, s)); n != 4 {
			t.Errorf("LibraryFiles: %d files, want 4", n)
		}
	})

	t.Run("MissingFilesAreMarkedAndComeBack", func(t *testing.T) {
		s := newStore(t)
		a := libPhoto("", "a", 1, libFile("a.jpg", domain.RolePrimary), libFile("a.dng", domain.RoleRaw))
		b := libPhoto("", "b", 2, libFile("b.jpg", domain.RolePrimary))
		bad := libFile("bad.jpg", "")
		bad.Problem = domain.ProblemEmpty
		photos, loose := []domain.Photo{a, b}, []domain.LibraryFile{bad}
		mustSaveIndex(t, s, photos, loose, nil, at)
		a, b, bad = photos[0], photos[1], loose[0]

		later := at.Add(time.Hour)
		mustSaveIndex(t, s, nil, nil, []string{"a.dng", "b.jpg", "bad.jpg", "never-indexed.jpg"}, later)
		files := mustLibraryFiles(t, s)
		if len(files) != 4 {
			t.Fatalf("LibraryFiles: %d files, want 4 (missing ones included)", len(files))
		}
		for _, f := range files {
			wantMissing := f.Path != "a.jpg"
			if f.Missing != wantMissing || !f.IndexedAt.Equal(at) {
				t.Errorf("%s: Missing %v IndexedAt %v; want %v, %v", f.Path, f.Missing, f.IndexedAt, wantMissing, at)
			}
			if f.Path == "a.dng" && f.PhotoID != a.ID {
				t.Errorf("a.dng lost its photo: PhotoID %d, want %d", f.PhotoID, a.ID)
			}
		}
		list, total := mustPhotos(t, s, domain.PhotoQuery{})
		if total != 1 || len(list) != 1 || list[0].ID != a.ID || len(list[0].Files) != 1 || list[0].Files[0].Path != "a.jpg" {
			t.Fatalf("Photos with missing files: %s, total %d; want a with a.jpg only", photoSummary(list), total)
		}
		if got := mustPhoto(t, s, b.ID); len(got.Files) != 0 {
			t.Errorf("Photo(b) lists %d files, all of them missing", len(got.Files))
		}
		if list, _ := mustPhotos(t, s, domain.PhotoQuery{Kind: domain.KindRaw}); len(list) != 0 {
			t.Errorf("Photos of kind raw: %s; the only RAW file is missing", photoSummary(list))
		}
		if p := mustProblems(t, s); len(p) != 0 {
			t.Errorf("Problems lists %d files; the only one is missing", len(p))
		}

		// b.jpg comes back, bad.jpg is no longer empty and joins b.
		b2 := libPhoto("", "b", 2, libFile("b.jpg", domain.RolePrimary), libFile("bad.jpg", domain.RoleImage))
		photos = []domain.Photo{b2}
		mustSaveIndex(t, s, photos, nil, nil, later)
		got := mustPhoto(t, s, b.ID)
		if photos[0].ID != b.ID || len(got.Files) != 2 || got.Files[1].ID != bad.ID || got.Files[1].Missing || got.Files[1].Problem != "" {
			t.Errorf("after b.jpg and bad.jpg came back: photo %d (was %d), files %+v", photos[0].ID, b.ID, got.Files)
		}
		if list, total := mustPhotos(t, s, domain.PhotoQuery{}); total != 2 || len(list) != 2 {
			t.Errorf("Photos after b came back: %s, total %d", photoSummary(list), total)
		}
	})

	t.Run("FileLeavesItsPhoto", func(t *testing.T) {
		s := newStore(t)
		photos := []domain.Photo{libPhoto("", "x", 1, libFile("x.jpg", domain.RolePrimary), libFile("x.xmp", domain.RoleSidecar))}
		mustSaveIndex(t, s, photos, nil, nil, at)
		orphan := libFile("x.xmp", "")
		orphan.Problem = domain.ProblemOrphan
		loose := []domain.LibraryFile{orphan}
		mustSaveIndex(t, s, nil, loose, []string{"x.jpg"}, at)
		if loose[0].ID != photos[0].Files[1].ID {
			t.Errorf("x.xmp changed ID from %d to %d", photos[0].Files[1].ID, loose[0].ID)
		}
		f, err := s.LibraryFile(ctx, loose[0].ID)
		if err != nil || f.PhotoID != 0 || f.Role != "" || f.Problem != domain.ProblemOrphan {
			t.Errorf("x.xmp as a loose file: %+v, %v", f, err)
		}
		checkFiles(t, "Problems", mustProblems(t, s), []domain.LibraryFile{f})
	})

	t.Run("PagingAndOrder", func(t *testing.T) {
		s := newStore(t)
		// Dates: 3, 1, 3, none, 2 minutes: order c0/c2 (by ID), c4, c1, c3.
		var photos []domain.Photo
		for i, minute := range []int{3, 1, 3, -1, 2} {
			name := fmt.Sprintf("c%d", i)
			p := libPhoto("", name, minute, libFile(name+".jpg", domain.RolePrimary))
			photos = append(photos, p)
		}
		mustSaveIndex(t, s, photos, nil, nil, at)
		want := []string{"c0", "c2", "c4", "c1", "c3"}
		if photos[0].ID > photos[2].ID {
			want[0], want[1] = "c2", "c0"
		}
		all, total := mustPhotos(t, s, domain.PhotoQuery{})
		if got := photoNames(all); !slices.Equal(got, want) || total != 5 {
			t.Fatalf("Photos: %q total %d, want %q total 5", got, total, want)
		}
		for _, q := range []domain.PhotoQuery{{Offset: 1, Count: 2}, {Offset: 4, Count: 10}, {Offset: 5, Count: 1}, {Offset: -3, Count: 1}} {
			lo := max(q.Offset, 0)
			hi := min(lo+q.Count, len(want))
			page, total := mustPhotos(t, s, q)
			if got := photoNames(page); !slices.Equal(got, want[min(lo, hi):hi]) || total != 5 {
				t.Errorf("Photos(%+v): %q total %d; want %q total 5", q, got, total, want[lo:hi])
			}
		}
	})

	t.Run("TextAndKindFilters", func(t *testing.T) {
		s := newStore(t)
		photos := []domain.Photo{
			libPhoto("Holidays/Été 2020", "beach", 1, libFile("Holidays/Été 2020/beach.jpg", domain.RolePrimary), libFile("Holidays/Été 2020/beach.dng", domain.RoleRaw)),
			libPhoto("misc", "100%_sure", 2, libFile("misc/100%_sure.jpg", domain.RolePrimary)),
			libPhoto("misc", "100x sure", 3, libFile("misc/100x sure.mp4", domain.RolePrimary)),
			libPhoto("", "IMG_1", 4, libFile("IMG_1.HEIC", domain.RolePrimary), libFile("IMG_1.xmp", domain.RoleSidecar)),
			// Written decomposed (NFD), as macOS writes names.
			libPhoto("", "Cre\u0300me", 0, libFile("Cre\u0300me.jpg", domain.RolePrimary)),
		}
		photos[2].Files[0].Kind = domain.KindVideo
		mustSaveIndex(t, s, photos, nil, nil, at)
		tests := []struct {
			q    domain.PhotoQuery
			want []string
		}{
			{domain.PhotoQuery{Text: "BEACH"}, []string{"beach"}},
			{domain.PhotoQuery{Text: "été"}, []string{"beach"}},
			{domain.PhotoQuery{Text: "holidays/ÉTÉ"}, []string{"beach"}},
			{domain.PhotoQuery{Text: "%"}, []string{"100%_sure"}},
			{domain.PhotoQuery{Text: "_"}, []string{"IMG_1", "100%_sure"}},
			{domain.PhotoQuery{Text: "0%_s"}, []string{"100%_sure"}},
			{domain.PhotoQuery{Text: "misc"}, []string{"100x sure", "100%_sure"}},
			{domain.PhotoQuery{Text: "jpg"}, nil},
			// Either normalisation finds a name in either.
			{domain.PhotoQuery{Text: "cr\u00e8me"}, []string{"Cre\u0300me"}},
			{domain.PhotoQuery{Text: "Cre\u0300"}, []string{"Cre\u0300me"}},
			{domain.PhotoQuery{Kind: domain.KindRaw}, []string{"beach"}},
			{domain.PhotoQuery{Kind: domain.KindVideo}, []string{"100x sure"}},
			{domain.PhotoQuery{Kind: domain.KindSidecar}, []string{"IMG_1"}},
			{domain.PhotoQuery{Kind: domain.KindImage, Text: "sure"}, []string{"100%_sure"}},
			{domain.PhotoQuery{Kind: domain.KindImage, Count: 1, Offset: 1}, []string{"100%_sure"}},
		}
		for _, tt := range tests {
			list, total := mustPhotos(t, s, tt.q)
			wantTotal := len(tt.want)
			if tt.q.Count == 1 {
				wantTotal = 4 // the image photos
			}
			if got := photoNames(list); !slices.Equal(got, tt.want) || total != wantTotal {
				t.Errorf("Photos(%+v): %q total %d; want %q total %d", tt.q, got, total, tt.want, wantTotal)
			}
		}
		list, _ := mustPhotos(t, s, domain.PhotoQuery{Kind: domain.KindRaw})
		if len(list) == 1 && len(list[0].Files) != 2 {
			t.Errorf("a kind filter must not filter the files of a photo: %d files", len(list[0].Files))
		}
	})

	t.Run("FilesInDisplayOrder", func(t *testing.T) {
		s := newStore(t)
		p := libPhoto("", "z", 1, libFile("z.xmp", domain.RoleSidecar), libFile("z.mov", domain.RoleVideo),
			libFile("z.dng", domain.RoleRaw), libFile("z.heic", domain.RoleImage), libFile("z.jpg", domain.RolePrimary))
		photos := []domain.Photo{p}
		mustSaveIndex(t, s, photos, nil, nil, at)
		var got []string
		for _, f := range mustPhoto(t, s, photos[0].ID).Files {
			got = append(got, f.Path)
		}
		if want := []string{"z.jpg", "z.heic", "z.dng", "z.mov", "z.xmp"}; !slices.Equal(got, want) {
			t.Errorf("files in order %q, want %q", got, want)
		}
	})
}

// libFile returns a file with every field set but IDs, Problem, Missing
// and IndexedAt; its kind follows its name, its times are distinct.
func libFile(path string, role domain.Role) domain.LibraryFile {
	return domain.LibraryFile{
		Path: path, Kind: domain.KindOf(path), Role: role, Size: 1234567,
		ModTime:     time.Date(2024, 5, 6, 7, 8, 9, 987654321, time.UTC),
		SHA1:        "a9993e364706816aba3e25717850c26c9cd0d89d",
		TakenAt:     time.Date(2019, 6, 14, 10, 41, 33, 0, time.UTC),
		TakenSource: domain.TakenFromEXIF, Orientation: 6, Width: 4032, Height: 3024,
		Changed: time.Date(2024, 5, 6, 7, 8, 10, 123456789, time.UTC), Inode: 1<<40 + 17,
	}
}

// libPhoto returns a photo of files, taken at 2020-01-01 plus minute
// minutes, or with no date when minute is negative.
func libPhoto(folder, name string, minute int, files ...domain.LibraryFile) domain.Photo {
	p := domain.Photo{Key: domain.PhotoKey(folder, name), Folder: folder, Name: name, Files: files}
	if minute >= 0 {
		p.TakenAt = time.Date(2020, 1, 1, 0, minute, 0, 0, time.UTC)
	}
	return p
}

func mustSaveIndex(t *testing.T, s ports.LibraryStore, photos []domain.Photo, loose []domain.LibraryFile, missing []string, at time.Time) {
	t.Helper()
	if err := s.SaveIndex(context.Background(), photos, loose, missing, at); err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
}

func mustPhoto(t *testing.T, s ports.LibraryStore, id int64) domain.Photo {
	t.Helper()
	p, err := s.Photo(context.Background(), id)
	if err != nil {
		t.Fatalf("Photo(%d): %v", id, err)
	}
	return p
}

func mustPhotos(t *testing.T, s ports.LibraryStore, q domain.PhotoQuery) ([]domain.Photo, int) {
	t.Helper()
	list, total, err := s.Photos(context.Background(), q)
	if err != nil {
		t.Fatalf("Photos(%+v): %v", q, err)
	}
	return list, total
}

func mustLibraryFiles(t *testing.T, s ports.LibraryStore) []domain.LibraryFile {
	t.Helper()
	return mustFiles(t, "LibraryFiles", s.LibraryFiles)
}

func mustProblems(t *testing.T, s ports.LibraryStore) []domain.LibraryFile {
	t.Helper()
	return mustFiles(t, "Problems", s.Problems)
}

func mustFiles(t *testing.T, what string, list func(context.Context) ([]domain.LibraryFile, error)) []domain.LibraryFile {
	t.Helper()
	files, err := list(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return files
}

func photoNames(list []domain.Photo) (names []string) {
	for _, p := range list {
		names = append(names, p.Name)
	}
	return names
}

func photoSummary(list []domain.Photo) string {
	var out []string
	for _, p := range list {
		out = append(out, fmt.Sprintf("%d %s (%d files)", p.ID, p.Name, len(p.Files)))
	}
	return fmt.Sprint(out)
}

// checkPhoto compares two photos field by field, their files with
// checkFiles; Uploads is not the store's business and is not compared.
func checkPhoto(t *testing.T, what string, got, want domain.Photo) {
	t.Helper()
	if got.ID != want.ID || got.Key != want.Key || got.Folder != want.Folder || got.Name != want.Name || !sameValue(got.TakenAt, want.TakenAt) {
		t.Errorf("%s: photo %d %q %q %q %v, want %d %q %q %q %v", what, got.ID, got.Key, got.Folder, got.Name, got.TakenAt,
			want.ID, want.Key, want.Folder, want.Name, want.TakenAt)
	}
	checkFiles(t, what, got.Files, want.Files)
}

// checkFiles compares every field of two lists of files by reflection, so
// that a field added to domain.LibraryFile is compared without changing
// this suite.
func checkFiles(t *testing.T, what string, got, want []domain.LibraryFile) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		gv, wv := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		for j := range gv.NumField() {
			name := gv.Type().Field(j).Name
			if !sameValue(gv.Field(j).Interface(), wv.Field(j).Interface()) {
				t.Errorf("%s: file %s: %s is %#v, want %#v", what, want[i].Path, name, gv.Field(j).Interface(), wv.Field(j).Interface())
			}
		}
	}
}

func zeroLibraryFields(f domain.LibraryFile, skip ...string) []string {
	var zero []string
	v := reflect.ValueOf(f)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if v.Field(i).IsZero() && !slices.Contains(skip, name) {
			zero = append(zero, name)
		}
	}
	return zero
}
