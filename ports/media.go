package ports

import (
	"context"
	"io"

	"github.com/photosync/photosync/domain"
)

// MediaInspector reads a file once and tells what is in it.
type MediaInspector interface {
	// Inspect reads r to its end: the SHA-1 of all size bytes, the date
	// taken and orientation from EXIF (images and RAW files), the
	// dimensions, and for decodable images whether they decode (a corrupt
	// or truncated image gets Problem set rather than an error). An error
	// means r could not be read.
	Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error)
}

// Thumbnailer makes and caches small JPEG previews of library images.
type Thumbnailer interface {
	// Thumbnail returns a JPEG no larger than size pixels on its longer
	// side, with the EXIF orientation applied, made from the file and
	// cached by its checksum. EINVALID when the file cannot be decoded (the
	// caller shows a kind icon instead).
	Thumbnail(ctx context.Context, f domain.LibraryFile, size int) ([]byte, error)
}

// Resizer makes smaller JPEG copies for uploads.
type Resizer interface {
	// Resize decodes an image and returns a JPEG that fits a square of
	// maxSide pixels, orientation applied (and the EXIF orientation reset),
	// the EXIF date taken kept. An image already within maxSide is
	// returned as nil, nil (send the original). EINVALID when the file
	// cannot be decoded.
	Resize(ctx context.Context, name string, r io.Reader, maxSide int) ([]byte, error)
}

// ContentChecker tells whether a file's bytes are sound for its kind, by
// structure rather than by decoding every pixel: not empty; JPEG marker
// segments through to EOI; PNG chunks through IEND; ISO-BMFF boxes
// (HEIC, AVIF, MP4, MOV) covering the file exactly; TIFF IFD chains
// (DNG and TIFF-based RAW) inside the file; and so on per kind. It is the
// one check that bytes entering the library (downloads) and bytes leaving
// it (uploads over a good server copy) must pass.
type ContentChecker interface {
	// Check reads the size bytes of the file called name (its extension
	// says the kind) and returns nil when they are sound, or an
	// *domain.Error with code EINVALID whose message names the problem
	// ("truncated: the MP4 box moov runs past the end of the file").
	// Kinds it knows no structure for pass when not empty. Other errors
	// mean r could not be read.
	Check(ctx context.Context, name string, r io.ReaderAt, size int64) error
}

// DeepInspector is a MediaInspector that can also check an image by
// decoding every pixel, which finds damage inside compressed data that a
// structural check misses, at many times the cost (`photosync index
// --deep`). An optional capability, found by type assertion.
type DeepInspector interface {
	// InspectDeep is Inspect with a full decode of images that pass the
	// structural check.
	InspectDeep(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error)
}

// MediaDetailer reads the details of a library file for the photo details
// view, from the file itself (nothing of it is stored in the index). A
// Thumbnailer may also be one.
type MediaDetailer interface {
	// Details reads the file f (a path inside the library, with the
	// modification time and checksum indexed) and returns what it says.
	// ENOTFOUND when the file is gone; a file that cannot be read as its
	// kind still gets what its name and modification time tell.
	Details(ctx context.Context, f domain.LibraryFile) (domain.MediaDetails, error)
}
