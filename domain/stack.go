package domain

import (
	"cmp"
	"maps"
	"path"
	"slices"
	"strings"
)

// Stacking: how the files of a folder become photos.
//
// Files in one folder whose stems are equal, compared case-insensitively,
// are one photo. The stem is the base name without its known extensions,
// stripped one after the other, so that the sidecars IMG_1234.JPG.xmp and
// IMG_1234.xmp both join IMG_1234.JPG. Apple's edited copy IMG_E1234.JPG
// joins the photo of IMG_1234.* when there is one, and is a photo of its
// own otherwise.
//
// Roles in a photo:
//   - primary: the first image by primaryRank (a JPEG before any other
//     image, because every viewer and the thumbnailer decode it, then by
//     path); without an image, the first RAW file; else the first video;
//     else the first edited copy. Edited copies never win over an original.
//   - image: every other image of the main stem, e.g. the HEIC beside the
//     JPEG. It is sent with the primary.
//   - edited: the images of the IMG_E stem.
//   - raw, video, sidecar: by kind.
//
// Files with a problem are in no photo. A stack of sidecars alone is not a
// photo either: its files are loose, with ProblemOrphan.

// nameStem returns a file's base name without its known extensions:
// "IMG_1234" for "dir/IMG_1234.JPG.xmp". An unknown extension stays
// ("notes.txt" is its own stem) and a name is never stripped to nothing.
func nameStem(name string) string {
	base := path.Base(name)
	for {
		ext := path.Ext(base)
		if ext == "" || ext == base || KindOf(ext) == KindNone {
			return base
		}
		base = strings.TrimSuffix(base, ext)
	}
}

// PhotoKey returns the key that stacks files: the folder ("" for the
// library root), a slash and the stem in lower case.
func PhotoKey(folder, stem string) string {
	return folder + "/" + strings.ToLower(stem)
}

// editedOf returns the lower-case stem of the original of an Apple edited
// copy ("img_1234" for "IMG_E1234"), and false for any other stem.
func editedOf(stem string) (string, bool) {
	const prefix = "img_e"
	if len(stem) <= len(prefix) || !strings.EqualFold(stem[:len(prefix)], prefix) {
		return "", false
	}
	digits := stem[len(prefix):]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return "img_" + digits, true
}

// stackedFile is a file in a stack, with whether it came from the stem of
// an edited copy that joined its original.
type stackedFile struct {
	f      LibraryFile
	edited bool
}

type stack struct {
	key, folder, stem string
	files             []stackedFile
}

// Stack groups the present files of a library into photos and sets each
// file's Role. Files with a problem, and sidecars with no photo (which get
// ProblemOrphan), are returned as loose files with no role. Photos come
// sorted by Key, their files by FileOrder, loose files by path. Photo and
// file IDs are left as they are; a photo's TakenAt is its primary's.
func Stack(files []LibraryFile) (photos []Photo, loose []LibraryFile) {
	stacks := map[string]*stack{}
	for _, f := range files {
		f.Role, f.PhotoID = "", 0
		if f.Problem != "" {
			loose = append(loose, f)
			continue
		}
		folder := path.Dir(f.Path)
		if folder == "." {
			folder = ""
		}
		stem := nameStem(f.Path)
		key := PhotoKey(folder, stem)
		s := stacks[key]
		if s == nil {
			s = &stack{key: key, folder: folder, stem: strings.ToLower(stem)}
			stacks[key] = s
		}
		s.files = append(s.files, stackedFile{f: f})
	}
	// Edited copies join their originals. Keys are visited in order so
	// that the outcome never depends on map order.
	for _, key := range slices.Sorted(maps.Keys(stacks)) {
		s := stacks[key]
		orig, ok := editedOf(s.stem)
		if !ok {
			continue
		}
		target := stacks[PhotoKey(s.folder, orig)]
		if target == nil {
			continue
		}
		for _, sf := range s.files {
			target.files = append(target.files, stackedFile{f: sf.f, edited: true})
		}
		delete(stacks, key)
	}
	for _, key := range slices.Sorted(maps.Keys(stacks)) {
		p, orphans := stacks[key].photo()
		if p.Key == "" {
			loose = append(loose, orphans...)
			continue
		}
		photos = append(photos, p)
	}
	slices.SortFunc(loose, func(a, b LibraryFile) int { return strings.Compare(a.Path, b.Path) })
	return photos, loose
}

// photo assigns the roles of a stack. A stack with no primary candidate
// returns a zero Photo and its files as orphans.
func (s *stack) photo() (Photo, []LibraryFile) {
	slices.SortFunc(s.files, func(a, b stackedFile) int {
		if c := cmp.Compare(primaryRank(a), primaryRank(b)); c != 0 {
			return c
		}
		return strings.Compare(a.f.Path, b.f.Path)
	})
	if primaryRank(s.files[0]) == rankNone {
		var orphans []LibraryFile
		for _, sf := range s.files {
			sf.f.Problem = ProblemOrphan
			orphans = append(orphans, sf.f)
		}
		return Photo{}, orphans
	}
	p := Photo{Key: s.key, Folder: s.folder}
	for i, sf := range s.files {
		f := sf.f
		switch {
		case i == 0:
			f.Role = RolePrimary
			p.Name = nameStem(f.Path)
			p.TakenAt = f.TakenAt
		case f.Kind == KindImage && sf.edited:
			f.Role = RoleEdited
		case f.Kind == KindImage:
			f.Role = RoleImage
		case f.Kind == KindRaw:
			f.Role = RoleRaw
		case f.Kind == KindVideo:
			f.Role = RoleVideo
		default:
			f.Role = RoleSidecar
		}
		p.Files = append(p.Files, f)
	}
	SortFiles(p.Files)
	return p, nil
}

// Ranks of primary candidates, best first.
const (
	rankJPEG = iota
	rankImage
	rankRaw
	rankVideo
	rankEdited
	rankNone
)

func primaryRank(sf stackedFile) int {
	switch {
	case sf.f.Kind == KindImage && sf.edited:
		return rankEdited
	case sf.f.Kind == KindImage:
		switch strings.ToLower(path.Ext(sf.f.Path)) {
		case ".jpg", ".jpeg":
			return rankJPEG
		}
		return rankImage
	case sf.f.Kind == KindRaw:
		return rankRaw
	case sf.f.Kind == KindVideo:
		return rankVideo
	}
	return rankNone
}

// FileOrder compares the files of a photo for display: by role (primary,
// edited, image, raw, video, sidecar), then by path.
func FileOrder(a, b LibraryFile) int {
	if c := cmp.Compare(displayRank(a.Role), displayRank(b.Role)); c != 0 {
		return c
	}
	return strings.Compare(a.Path, b.Path)
}

// SortFiles sorts the files of a photo by FileOrder.
func SortFiles(files []LibraryFile) {
	slices.SortFunc(files, FileOrder)
}

// displayRank orders the roles of a photo's files: primary, edited, other
// images, RAW, video, sidecars.
func displayRank(r Role) int {
	switch r {
	case RolePrimary:
		return 0
	case RoleEdited:
		return 1
	case RoleImage:
		return 2
	case RoleRaw:
		return 3
	case RoleVideo:
		return 4
	case RoleSidecar:
		return 5
	}
	return 6
}
