package davtest

import (
	"net/http"
	"path"
	"time"

	"golang.org/x/text/unicode/norm"
)

// This file holds what Nextcloud does with names (see
// docs/nextcloud-model.md):
//
//   - every path is normalised to NFC before it reaches the storage
//     (Filesystem::normalizePath, OC_Util::normalizeUnicode), so a name
//     sent in NFD is stored, and listed, in NFC, and both forms name the
//     same file;
//   - a name longer than 255 bytes is an invalid path (View::verifyPath,
//     "File name is too long"): 400;
//   - a file is written to a part file beside it first, named
//     <name>.ocTransferId<rand()>.part (File::put, Nextcloud up to 30), so
//     on a local file system (255 bytes a name) a name longer than 255 -
//     28 = 227 bytes cannot be written: rand() has 10 digits more often
//     than not, and the write fails with a 500 that no retry mends. The
//     model takes the longest part file name, so the limit is exact.

const (
	// maxNameBytes is the longest name Nextcloud takes.
	maxNameBytes = 255
	// partFileExtra is what the part file's name adds to the file's name:
	// ".ocTransferId", up to 10 digits of rand(), ".part".
	partFileExtra = len(".ocTransferId") + 10 + len(".part")
	// MaxUploadNameBytes is the longest name a file can be uploaded with
	// (by PUT or a chunked upload's MOVE).
	MaxUploadNameBytes = maxNameBytes - partFileExtra
)

// nfc answers a path in NFC, as Nextcloud stores names.
func nfc(p string) string { return norm.NFC.String(p) }

// nameAllowed answers 400 for a name longer than Nextcloud takes.
func nameAllowed(rel string) *davError {
	if len(path.Base(rel)) > maxNameBytes {
		return &davError{status: http.StatusBadRequest, exception: `OCA\DAV\Connector\Sabre\Exception\InvalidPath`,
			message: "File name is too long"}
	}
	return nil
}

// partFileAllowed answers the 500 of a write whose part file's name is
// too long for the storage, or nil.
func partFileAllowed(rel string) *davError {
	if derr := nameAllowed(rel); derr != nil {
		return derr
	}
	if len(path.Base(rel))+partFileExtra > maxNameBytes {
		return &davError{status: http.StatusInternalServerError, exception: `Sabre\DAV\Exception`,
			message: "Could not write file contents"}
	}
	return nil
}

// timeUnix is time.Unix(sec, 0).
func timeUnix(sec int64) time.Time { return time.Unix(sec, 0) }
