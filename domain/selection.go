package domain

import (
	"path"
	"slices"
	"strconv"
	"strings"
)

// ProblemMissing is why a file gone from the library since it was indexed
// cannot be uploaded.
const ProblemMissing = "missing from the library (moved or deleted since it was indexed)"

// Normalize cleans the options and checks them: the folder becomes a clean
// remote path and the size must be one of UploadSizes. An empty folder or
// size is an error here: callers fill in the account's defaults first.
func (o *UploadOptions) Normalize() error {
	if strings.TrimSpace(o.Folder) == "" {
		return Errorf(EINVALID, "folder: choose the remote folder to upload to")
	}
	folder, err := CleanRemotePath(o.Folder)
	if err != nil {
		return Errorf(EINVALID, "folder: %s", ErrorMessage(err))
	}
	o.Folder = folder
	if !ValidUploadSize(o.Size) {
		return Errorf(EINVALID, "size: must be one of %s", strings.Join(UploadSizes, ", "))
	}
	return nil
}

// FitSide returns the longest side in pixels of an upload size: 720 for
// fit_720, and 0 for original (or anything that is not a fit size).
func FitSide(size string) int {
	n, ok := strings.CutPrefix(size, "fit_")
	if !ok {
		return 0
	}
	side, err := strconv.Atoi(n)
	if err != nil || side <= 0 {
		return 0
	}
	return side
}

// SelectUploadFiles returns the files of a photo that an upload with opts
// sends: the primary file, the edited copy and other images of the same
// shot (a HEIC beside a JPEG) always, RAW files, videos
// and sidecars when opts include them. Files with a problem or missing
// from disk are selected too, so that the upload reports them as failed
// with UploadProblem rather than leaving them out in silence. The order is
// stable: by role (primary, edited, raw, video, sidecar), then by path.
func SelectUploadFiles(p Photo, opts UploadOptions) []LibraryFile {
	var out []LibraryFile
	for _, f := range p.Files {
		if wanted(f, opts) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b LibraryFile) int {
		if d := displayRank(a.Role) - displayRank(b.Role); d != 0 {
			return d
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

func wanted(f LibraryFile, opts UploadOptions) bool {
	switch f.Role {
	case RolePrimary, RoleEdited, RoleImage:
		return true
	case RoleRaw:
		return opts.IncludeRaw
	case RoleVideo:
		return opts.IncludeVideo
	case RoleSidecar:
		return opts.IncludeSidecars
	}
	// A file without a role goes by its kind.
	switch f.Kind {
	case KindRaw:
		return opts.IncludeRaw
	case KindVideo:
		return opts.IncludeVideo
	case KindSidecar:
		return opts.IncludeSidecars
	}
	return true
}

// UploadProblem returns why a file must not be uploaded, or "" when it may
// be: it is missing from disk, it has a problem found by the index, or it
// is empty. An empty file is never sent: a 0-byte file on a server is what
// a failed upload looks like, and nobody wants to keep one.
func UploadProblem(f LibraryFile) string {
	switch {
	case f.Missing:
		return ProblemMissing
	case f.Problem != "":
		return f.Problem
	case f.Size <= 0:
		return ProblemEmpty
	}
	return ""
}

// resizable reports whether a file is made smaller for a fit_N upload
// whatever its size: JPEG images, which keep their name and extension.
// (HEIC, HEIF and AVIF images larger than the size are made into JPEG
// copies too: see UploadAs.) Other files, PNG included, are sent as they
// are.
func resizable(f LibraryFile) bool {
	if f.Kind != KindImage {
		return false
	}
	switch strings.ToLower(path.Ext(f.Path)) {
	case ".jpg", ".jpeg":
		return true
	}
	return false
}

// UploadAs answers the name a file goes up under for an upload of images
// fitting side pixels (0 for originals), and whether it is resized. A
// HEIC, HEIF or AVIF image larger than side, by the dimensions the index
// read, becomes a JPEG copy named <stem>.jpg (most viewers of a share show
// no HEIC); one whose dimensions are unknown or within side goes as it is,
// under its own name.
func UploadAs(f LibraryFile, side int) (name string, resized bool) {
	name = path.Base(f.Path)
	if side <= 0 || f.Kind != KindImage {
		return name, false
	}
	if resizable(f) {
		return name, true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".heic", ".heif", ".avif":
		if max(f.Width, f.Height) > side {
			return strings.TrimSuffix(name, path.Ext(name)) + ".jpg", true
		}
	}
	return name, false
}

// Validate checks a record before it is stored: a file, an account, and a
// clean remote path of a file (not the root).
func (r UploadRecord) Validate() error {
	if r.FileID <= 0 || r.AccountID <= 0 {
		return Errorf(EINVALID, "an upload record needs a file and an account")
	}
	if p, err := CleanRemotePath(r.RemotePath); err != nil || p != r.RemotePath || p == "/" {
		return Errorf(EINVALID, "the remote path %q of an upload record is not a clean file path", r.RemotePath)
	}
	return nil
}
