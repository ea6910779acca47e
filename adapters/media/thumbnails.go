package media

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sync/singleflight"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Thumbnail sizes accepted, in pixels on the longer side.
const (
	MinThumbnailSize = 16
	MaxThumbnailSize = 2048
)

// thumbQuality is the JPEG quality of thumbnails: small files that still
// look clean on a high-density screen.
const thumbQuality = 82

// Thumbnails makes JPEG thumbnails of library files and caches them on
// disk by the file's checksum and the size, as
// <cache>/<sha1[:2]>/<sha1>_<size>.jpg. A cached thumbnail is returned
// without opening the original. Concurrent requests for the same
// thumbnail make it once.
//
// Images are decoded (HEIC/HEIF and AVIF through WebAssembly builds of
// libheif and libavif), RAW files show their embedded JPEG preview, and
// videos a frame ffmpeg extracts when it is configured (WithFFmpeg), else
// a drawn poster with the video's duration. At most two files are decoded
// at once, each within a time limit (withTimeout).
type Thumbnails struct {
	root  string
	cache string
	opts  options
	group singleflight.Group
	slots chan struct{} // decodes by Go and ffmpeg running
	// wasmSlots are the HEIF and AVIF decodes running: the WebAssembly
	// decoders cannot be stopped, so one that never ended would keep its
	// slot; apart, it would not hold up the other kinds.
	wasmSlots chan struct{}
}

var _ ports.Thumbnailer = (*Thumbnails)(nil)

// NewThumbnails returns Thumbnails of the files under libraryRoot, cached
// in cacheDir (created when first needed).
func NewThumbnails(libraryRoot, cacheDir string, opts ...Option) *Thumbnails {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return &Thumbnails{root: libraryRoot, cache: cacheDir, opts: o,
		slots: make(chan struct{}, o.parallel), wasmSlots: make(chan struct{}, o.parallel)}
}

// Thumbnail returns a JPEG of f no larger than size pixels on its longer
// side, with its EXIF orientation applied (the file's own, else
// f.Orientation). Errors: EINVALID for a size out of range, a path that is
// not a clean relative path inside the library, or a file that cannot be
// decoded (HEIC, RAW, video, corrupt); ENOTFOUND when the file is gone.
// A file without a valid checksum gets a thumbnail that is not cached.
func (t *Thumbnails) Thumbnail(ctx context.Context, f domain.LibraryFile, size int) ([]byte, error) {
	if size < MinThumbnailSize || size > MaxThumbnailSize {
		return nil, domain.Errorf(domain.EINVALID, "a thumbnail size must be between %d and %d pixels, not %d", MinThumbnailSize, MaxThumbnailSize, size)
	}
	if err := checkRel(f.Path); err != nil {
		return nil, err
	}
	if !validSHA1(f.SHA1) {
		b, _, err := t.make(ctx, f, size)
		return b, err
	}
	file := filepath.Join(t.cache, f.SHA1[:2], f.SHA1+"_"+strconv.Itoa(size)+".jpg")
	if b, err := os.ReadFile(file); err == nil {
		return b, nil
	}
	v, err, _ := t.group.Do(file, func() (any, error) {
		b, keep, err := t.make(ctx, f, size)
		if err != nil || !keep {
			return b, err
		}
		if err := writeAtomic(file, b); err != nil {
			return nil, fmt.Errorf("cache thumbnail of %s: %w", f.Path, err)
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// make decodes, scales, orients and encodes one thumbnail, and tells
// whether to cache it: a video's drawn poster is not cached (it costs less
// than a millisecond, and a frame replaces it once ffmpeg is there or can
// read the file).
func (t *Thumbnails) make(ctx context.Context, f domain.LibraryFile, size int) (thumb []byte, keep bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			thumb, keep, err = nil, false, domain.Errorf(domain.EINVALID, "%s cannot be shown: reading it failed (%v)", f.Path, p)
		}
	}()
	root, err := os.OpenRoot(t.root)
	if err != nil {
		return nil, false, fmt.Errorf("open library: %w", err)
	}
	defer root.Close()
	file, err := root.Open(filepath.FromSlash(f.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, domain.Errorf(domain.ENOTFOUND, "%s is not in the library", f.Path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("thumbnail of %s: %w", f.Path, err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("thumbnail of %s: %w", f.Path, err)
	}
	head := make([]byte, sniffLen)
	n, err := file.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, false, fmt.Errorf("thumbnail of %s: %w", f.Path, err)
	}
	head = head[:n]
	kind := kindOf(f.Path, head)
	if kind == formatVideo {
		return t.videoThumb(ctx, file, f.Path, filepath.Join(t.root, filepath.FromSlash(f.Path)), st.Size(), size)
	}
	var src *readerState
	var orientation int
	slots := t.slots
	if kind == formatHEIF || kind == formatAVIF {
		slots = t.wasmSlots
	}
	img, err := t.limited(ctx, slots, func(limit context.Context) (image.Image, error) {
		// The Go decoders stop reading when the time is up.
		src = &readerState{r: io.NewSectionReader(file, 0, st.Size()), ctx: limit}
		img, o, err := decodeForDisplay(src, file, st.Size(), f.Path, head, size, f.Orientation)
		orientation = o
		return img, err
	})
	// (After a timeout the decoder may still be running: src is not read.)
	if !errors.Is(err, errTimeout) && src != nil && src.err != nil {
		if ctx.Err() != nil || !errors.Is(src.err, context.DeadlineExceeded) {
			return nil, false, fmt.Errorf("thumbnail of %s: %w", f.Path, src.err)
		}
		err = fmt.Errorf("%w (%v)", errTimeout, t.opts.timeout)
	}
	if err != nil {
		e := domain.Errorf(domain.EINVALID, "%s cannot be decoded for a thumbnail: %v", f.Path, err)
		e.Err = err
		return nil, false, e
	}
	small := orient(fit(img, size), orientation)
	flatten(small)
	b, err := encodeJPEG(small, thumbQuality)
	return b, err == nil, err
}

// checkRel rejects a library path that could lead outside the library:
// empty, absolute, with a backslash or a volume name, with a ".." element
// or otherwise not clean. (The file is also opened through an os.Root,
// which refuses symbolic links that lead out.)
func checkRel(p string) error {
	bad := p == "" || p == "." || path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "" ||
		strings.Contains(p, "\\") || strings.ContainsRune(p, 0) || path.Clean(p) != p
	for part := range strings.SplitSeq(p, "/") {
		bad = bad || part == ".."
	}
	if bad {
		return domain.Errorf(domain.EINVALID, "%q is not a path inside the library", p)
	}
	return nil
}

// validSHA1 reports whether s is 40 lower-case hex digits, so that it is
// safe in a file name.
func validSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// writeAtomic writes b to file through a temporary file in the same
// folder and a rename, so that a reader never sees half a file.
func writeAtomic(file string, b []byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
