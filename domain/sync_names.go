package domain

import (
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Names of synced files.
//
// A remote file below the sync folder maps to the library path
// "<download folder>/<path below the sync folder>" when names are
// preserved, and a library file maps to the remote path
// "<sync folder>/<library path>". The two maps are not inverse: a file that
// came down lives in the download folder, and it is its recorded pair, not
// its name, that keeps it from going back up.

// NormalizedName is the library-relative name of a downloaded file when
// names are not preserved, to be joined under the download folder by the
// caller: "YYYY/MM/YYYYMMDD_HHMMSS_<first 8 hex of sha1>.<ext>".
//
// taken is formatted as it reads in its own location: pass the date taken
// (a wall-clock time represented in UTC, see DateTaken) or the remote
// modification time in UTC. The SHA-1 is lower-cased and stripped of any
// character that is not a hex digit, so a name can never gain a slash or a
// dot from it; a shorter checksum is used as it is and an empty one leaves
// out "_<hex>". The extension may come with or without its dot; it is
// lower-cased and kept to letters and digits, and an empty one leaves the
// name without an extension.
func NormalizedName(taken time.Time, sha1, ext string) string {
	name := taken.Format("2006/01/20060102_150405")
	if hex := keepRunes(strings.ToLower(sha1), isHexDigit); hex != "" {
		name += "_" + hex[:min(8, len(hex))]
	}
	if e := keepRunes(strings.ToLower(ext), isAlnum); e != "" {
		name += "." + e
	}
	return name
}

// ConflictName is where the other side's version of a file goes when both
// sides changed: "<dir>/<name> (conflict YYYY-MM-DD HHMMSS).<ext>", in the
// same folder, before the last extension as NumberedName does. It works on
// library paths and remote paths alike; at is formatted as it reads in its
// own location.
func ConflictName(p string, at time.Time) string {
	return withSuffix(p, " (conflict "+at.Format("2006-01-02 150405")+")")
}

// conflictCopy matches the names ConflictName makes.
var conflictCopy = regexp.MustCompile(` \(conflict \d{4}-\d{2}-\d{2} \d{6}\)`)

// isConflictCopy reports whether a path names a conflict copy. Conflict
// copies are never transferred as new files: each is the other side's
// version of a file that the other side still has or deliberately
// replaced, and sending it across would bounce a file back where it came
// from.
func isConflictCopy(p string) bool {
	return conflictCopy.MatchString(path.Base(p))
}

// DownloadPath maps a remote path below the sync folder to its library
// path when names are preserved: the download folder, a slash and the path
// below the sync folder (no slash when the download folder is the library
// root). EINVALID when the remote path is not clean (CleanRemotePath would
// change it or refuse it: "..", a backslash, control characters, empty
// parts), is not strictly below the sync folder, or the download folder is
// not a clean relative path. So a hostile name from a server can never put
// a file outside the download folder.
func DownloadPath(s SyncSettings, remotePath string) (string, error) {
	rel, err := relBelow(s.Folder, remotePath)
	if err != nil {
		return "", err
	}
	dir, err := cleanLibraryFolder(s.DownloadFolder)
	if err != nil {
		return "", err
	}
	if dir == "" {
		return rel, nil
	}
	return dir + "/" + rel, nil
}

// UploadPath maps a library path to its remote path: the sync folder, a
// slash and the library path in NFC (the form Nextcloud stores, so that
// the server's listing names the file as its pair does). localPath must be a clean library path; the
// planner checks the result with CleanRemotePath and skips a file whose
// name the server could not take.
func UploadPath(s SyncSettings, localPath string) string {
	return strings.TrimSuffix(s.Folder, "/") + "/" + NFC(localPath)
}

// relBelow returns the part of a clean remote path below folder.
func relBelow(folder, p string) (string, error) {
	if folder == "" {
		folder = "/"
	}
	folder, err := CleanRemotePath(folder)
	if err != nil {
		return "", err
	}
	c, err := CleanRemotePath(p)
	if err != nil {
		return "", err
	}
	if c != p {
		return "", Errorf(EINVALID, "the remote path %q is not clean", p)
	}
	rel, ok := "", false
	if folder == "/" {
		rel, ok = p[1:], true
	} else if len(p) > len(folder) && p[len(folder)] == '/' && p[:len(folder)] == folder {
		rel, ok = p[len(folder)+1:], true
	}
	if !ok || rel == "" {
		return "", Errorf(EINVALID, "the remote path %q is not below the sync folder %s", p, folder)
	}
	return rel, nil
}

// cleanLibraryFolder returns a library-relative folder without leading or
// trailing slashes ("" for the library root), refusing anything that could
// leave the library.
func cleanLibraryFolder(dir string) (string, error) {
	dir = strings.Trim(dir, "/")
	if dir == "" {
		return "", nil
	}
	if err := checkLibraryPath(dir); err != nil {
		return "", Errorf(EINVALID, "the download folder %q is not a clean folder of the library", dir)
	}
	return dir, nil
}

// checkLibraryPath refuses a library path that is not clean and relative:
// an empty, "." or ".." part, a leading slash, a backslash, control
// characters or invalid UTF-8.
func checkLibraryPath(p string) error {
	if !utf8.ValidString(p) || hasControl(p) || strings.Contains(p, `\`) {
		return Errorf(EINVALID, "the library path %q has invalid characters", p)
	}
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "", ".", "..":
			return Errorf(EINVALID, "the library path %q is not clean", p)
		}
	}
	return nil
}

// normETag strips what servers vary in the spelling of one ETag: the weak
// marker and the quotes.
func normETag(e string) string {
	return strings.Trim(strings.TrimPrefix(e, "W/"), `"`)
}

func keepRunes(s string, keep func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if keep(r) {
			return r
		}
		return -1
	}, s)
}

func isHexDigit(r rune) bool { return '0' <= r && r <= '9' || 'a' <= r && r <= 'f' }

func isAlnum(r rune) bool { return '0' <= r && r <= '9' || 'a' <= r && r <= 'z' }
