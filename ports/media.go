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
