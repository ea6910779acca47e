package domain

import (
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Remote names of uploaded files.
//
// A file keeps its name in the target folder. When that name is taken by
// other content, the file gets " (1)", " (2)", ... before its extension:
// IMG_1.jpg becomes "IMG_1 (1).jpg". Only the last extension counts, so
// archive.tar.gz becomes "archive.tar (1).gz": the kind of a file is told by
// its last extension, and that one must stay. A name without an extension
// gets the number at its end.
//
// Names clash case-insensitively (IMG_1.JPG and img_1.jpg are one name),
// whatever the server: Nextcloud on a case-insensitive disk, Windows and
// macOS shares would make one file of the two, and a spare " (1)" on a
// case-sensitive server costs nothing while an overwritten photo is lost.

// NumberedName returns name with " (n)" before its last extension; n == 0
// returns name itself.
// The stem is shortened when the last part of the result would be longer
// than maxNameBytes.
func NumberedName(name string, n int) string {
	if n == 0 {
		return name
	}
	return withSuffix(name, " ("+strconv.Itoa(n)+")")
}

// withSuffix puts suffix before the extension of p's last part, cutting
// that part's stem (at a character boundary) so that the part stays
// within maxNameBytes.
func withSuffix(p, suffix string) string {
	dir, base := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i+1], p[i+1:]
	}
	stem, ext := splitExt(base)
	if over := len(stem) + len(suffix) + len(ext) - maxNameBytes; over > 0 {
		cut := max(len(stem)-over, 0)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		stem = stem[:cut]
	}
	return dir + stem + suffix + ext
}

// FoldName returns the key under which two names are the same name in a
// folder: the name in NFC (see NFC), in lower case.
func FoldName(name string) string {
	return strings.ToLower(NFC(name))
}

// NameNumber reports whether candidate is name, or name numbered by
// NumberedName, compared as FoldName does, and with which number (0 for
// name itself). NameNumber("IMG_1.jpg", "img_1 (3).JPG") is 3, true.
func NameNumber(name, candidate string) (int, bool) {
	name, candidate = FoldName(name), FoldName(candidate)
	if name == candidate {
		return 0, true
	}
	stem, ext := splitExt(name)
	rest, ok := strings.CutPrefix(candidate, stem+" (")
	if !ok {
		return 0, false
	}
	digits, ok := strings.CutSuffix(rest, ")"+ext)
	if !ok || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(digits)
	return n, true
}

// UnnumberedName returns name without the " (n)" NumberedName puts
// before its extension: "IMG_1 (2).jpg" gives "IMG_1.jpg". A name without
// a number is returned as it is.
func UnnumberedName(name string) string {
	stem, ext := splitExt(name)
	open := strings.LastIndex(stem, " (")
	if open < 0 || !strings.HasSuffix(stem, ")") {
		return name
	}
	base := stem[:open] + ext
	if n, ok := NameNumber(base, name); !ok || n == 0 {
		return name
	}
	return base
}

// splitExt splits a name before its last extension. A name that is all
// extension (".xmp") or ends in a dot has none.
func splitExt(name string) (stem, ext string) {
	ext = path.Ext(name)
	if ext == name || ext == "." {
		return name, ""
	}
	return strings.TrimSuffix(name, ext), ext
}

// TakenName is an entry of a remote folder, as the name planner sees it.
type TakenName struct {
	Name  string
	IsDir bool
	Size  int64
	SHA1  string // of its content, lower-case hex; "" when unknown
}

// NameRequest is a file to place in a remote folder: its name, and the
// size and SHA-1 of the bytes that would be sent. With an empty SHA1 the
// file is never taken for one already there.
type NameRequest struct {
	Name string
	Size int64
	SHA1 string
}

// NamePlan is where one NameRequest goes. Present means the same content
// is in the folder under Name already, so nothing needs sending.
type NamePlan struct {
	Name    string
	Present bool
}

// PlanNames gives each request, in order, its remote name in a folder that
// holds taken: the first of its name, "name (1)", "name (2)", ... that no
// earlier request got and that is either free or holds the same content
// (same size and SHA-1, so the request is Present there). A name holding
// other content, or a folder, is passed over. Each request gets a name of
// its own, so two library files never share a remote file, and the same
// requests in the same order against the outcome of a first plan find
// every file Present: a second upload sends nothing.
func PlanNames(taken []TakenName, reqs []NameRequest) []NamePlan {
	byKey := make(map[string][]TakenName, len(taken))
	for _, t := range taken {
		k := FoldName(t.Name)
		byKey[k] = append(byKey[k], t)
	}
	claimed := make(map[string]bool, len(reqs))
	plans := make([]NamePlan, len(reqs))
	for i, r := range reqs {
		for n := 0; ; n++ {
			cand := NumberedName(r.Name, n)
			key := FoldName(cand)
			if claimed[key] {
				continue
			}
			there := byKey[key]
			if len(there) == 0 {
				claimed[key] = true
				plans[i] = NamePlan{Name: cand}
				break
			}
			if t, ok := identical(there, r); ok {
				claimed[key] = true
				plans[i] = NamePlan{Name: t.Name, Present: true}
				break
			}
		}
	}
	return plans
}

// identical returns the entry among there that holds r's content.
func identical(there []TakenName, r NameRequest) (TakenName, bool) {
	for _, t := range there {
		if !t.IsDir && r.SHA1 != "" && t.Size == r.Size && strings.EqualFold(t.SHA1, r.SHA1) {
			return t, true
		}
	}
	return TakenName{}, false
}
