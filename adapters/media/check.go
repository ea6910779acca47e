package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Checker tells whether a file's bytes are sound for its kind by reading
// its structure, never its pixels (see ports.ContentChecker).
//
// What it checks, by kind:
//
//   - every kind: not empty;
//   - JPEG: SOI, marker segments, at least one frame and scan, the
//     entropy-coded data scanned for markers, through to EOI (data after
//     EOI is allowed);
//   - PNG: the signature, IHDR first, every chunk's CRC, through to IEND;
//   - GIF: the header, colour tables and blocks through to the trailer;
//   - WebP: the RIFF chunks within the RIFF size, which lies inside the file;
//   - BMP: the pixel data of an uncompressed bitmap inside the file;
//   - ISO-BMFF (HEIC, HEIF, AVIF, MP4, M4V, MOV, 3GP, CR3): the top-level
//     boxes chain exactly to the end of the file, ftyp first (a QuickTime
//     file may have none), moov present in a video or CR3, meta or moov in
//     HEIF/AVIF;
//   - TIFF and TIFF-based RAW (DNG, CR2, NEF, ARW, PEF, ORF, RW2, ...):
//     the byte order, the IFD chain, SubIFDs and Exif IFD, and every strip
//     and tile inside the file;
//   - RAF: the header's preview, CFA header and CFA data inside the file;
//   - AVI: the RIFF chunks inside the file and filling it;
//   - Matroska and WebM: the EBML header, and a Segment of known size
//     inside the file;
//   - every compressed kind (all but TIFF, BMP and JPEG, whose padding
//     after EOI may be zeros): the last 64 KiB (a quarter of a small file)
//     are not all zeros, which is what a copy cut short by a crash leaves.
//
// Other kinds pass when not empty and not zero-filled at the end. It
// allocates a bounded buffer per call, whatever the input claims.
type Checker struct{}

var _ ports.ContentChecker = (*Checker)(nil)

// NewChecker returns a Checker.
func NewChecker() *Checker { return &Checker{} }

// Check reads the size bytes of r and returns nil when they are sound, an
// EINVALID *domain.Error naming the problem, or the error of reading r
// (or of ctx).
func (c *Checker) Check(ctx context.Context, name string, r io.ReaderAt, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if size <= 0 {
		return domain.Errorf(domain.EINVALID, "empty file")
	}
	buf := getBuf()
	defer putBuf(buf)
	s := newStream(ctx, nil, r, size, *buf, nil)
	problem, err := checkContent(s, name, r, size)
	if err != nil {
		return fmt.Errorf("check %s: %w", name, err)
	}
	if problem != "" {
		return domain.Errorf(domain.EINVALID, "%s", problem)
	}
	return nil
}

// checkContent checks the file of the given size behind s (which reads from
// its start) and ra. It answers the problem found, in words, or "" when
// none; err is a failure to read. A stream over src may have been read to
// its end or not: its caller drains it.
func checkContent(s *stream, name string, ra io.ReaderAt, size int64) (problem string, err error) {
	head, err := s.peek(sniffLen)
	if err != nil && !errors.Is(err, errShort) {
		return "", err
	}
	k := kindFor(name, head)
	err = k.check(s, ra, k, size)
	var bad *badFile
	switch {
	case errors.As(err, &bad):
		problem = bad.msg
	case errors.Is(err, errShort):
		// A checker that did not say what it was reading when the file
		// ended.
		problem = fmt.Sprintf("truncated: the %s ends early", k.name)
	case err != nil:
		return "", err
	}
	if k.zeroTail || problem != "" {
		z, err := s.trailingZeros(ra)
		if err != nil {
			return "", err
		}
		if zp := zeroProblem(z, size); zp != "" && (size-z < s.zeroOK || problem != "") {
			if problem == "" {
				return zp, nil
			}
			return problem + " (" + zp + ")", nil
		}
	}
	return problem, nil
}

// zeroTailMin is the run of zeros at the end of a file that marks it as
// cut short and zero-filled; a file under four times as long needs only a
// quarter of its bytes zero (and at least zeroTailSmall).
const (
	zeroTailMin   = 64 << 10
	zeroTailSmall = 1 << 10
	zeroTailCap   = 1 << 20 // how far back the zeros are counted
)

// zeroProblem tells of a zero-filled tail of z bytes in a file of size.
func zeroProblem(z, size int64) string {
	switch {
	case z >= size:
		return "the file is all zeros"
	case z >= zeroTailMin, z >= zeroTailSmall && z >= size/4:
		return fmt.Sprintf("the last %s are zeros", domain.FormatBytes(z))
	}
	return ""
}

// badFile is a problem found in a file's structure.
type badFile struct{ msg string }

func (b *badFile) Error() string { return b.msg }

// bad returns a *badFile with a formatted message.
func bad(format string, args ...any) error {
	return &badFile{fmt.Sprintf(format, args...)}
}

// kind is what a file is checked as.
type kind struct {
	name  string // for messages: "JPEG", "MP4", "DNG"
	check func(s *stream, ra io.ReaderAt, k kind, size int64) error
	// zeroTail: a run of zeros at the end is a fault.
	zeroTail bool
	// bmff says what a BMFF file needs besides ftyp.
	bmff bmffWants
}

// bmffWants is what a kind of BMFF file must hold at its top level.
type bmffWants int

const (
	bmffVideo bmffWants = iota // moov
	bmffImage                  // meta or moov (an image sequence)
	bmffAny                    // nothing in particular
)

// videoExts are the ISO-BMFF and QuickTime video extensions.
var videoExts = map[string]bool{".mp4": true, ".m4v": true, ".mov": true, ".3gp": true, ".3g2": true, ".qt": true}

// kindFor tells how to check a file from its name and first bytes.
func kindFor(name string, head []byte) kind {
	ext := strings.ToLower(path.Ext(name))
	extName := strings.ToUpper(strings.TrimPrefix(ext, "."))
	passIfNotEmpty := kind{name: "file", check: checkNothing, zeroTail: true}
	switch f := sniff(name, head); f {
	case formatJPEG:
		return kind{name: "JPEG", check: checkJPEG}
	case formatPNG:
		return kind{name: "PNG", check: checkPNG, zeroTail: true}
	case formatGIF:
		return kind{name: "GIF", check: checkGIF, zeroTail: true}
	case formatWebP:
		return kind{name: "WebP", check: checkWebP, zeroTail: true}
	case formatBMP:
		return kind{name: "BMP", check: checkBMP}
	case formatTIFF:
		n := extName
		if n == "" || n == "TIF" {
			n = "TIFF"
		}
		return kind{name: n, check: checkTIFF, zeroTail: ext != ".tif" && ext != ".tiff"}
	case formatHEIF, formatAVIF, formatVideo:
		return bmffKind(ext, extName, head, f)
	case formatRAW:
		// RAW files the previews know by their content: CR3 is ISO-BMFF,
		// RAF has its own header, ORF and RW2 are TIFF variants.
		switch {
		case len(head) >= 12 && string(head[4:8]) == "ftyp":
			return bmffKind(ext, extName, head, formatVideo)
		case len(head) >= 16 && string(head[:16]) == "FUJIFILMCCD-RAW ":
			return kind{name: "RAF", check: checkRAF, zeroTail: true}
		case isTIFFVariant(head):
			return kind{name: extName, check: checkTIFF, zeroTail: true}
		}
		return kind{name: extName, check: notA, zeroTail: true}
	case formatUnknown:
		switch {
		case isTIFFVariant(head):
			return kind{name: extName, check: checkTIFF, zeroTail: true}
		case len(head) >= 16 && string(head[:16]) == "FUJIFILMCCD-RAW ":
			return kind{name: "RAF", check: checkRAF, zeroTail: true}
		case len(head) >= 8 && quickTimeAtoms[string(head[4:8])] && (videoExts[ext] || ext == ".heic" || ext == ".heif" || ext == ".avif" || ext == ""):
			return bmffKind(ext, extName, head, formatVideo)
		case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "AVI ":
			return kind{name: "AVI", check: checkAVI, zeroTail: true}
		case len(head) >= 4 && string(head[:4]) == "\x1a\x45\xdf\xa3":
			n := "Matroska"
			if ext == ".webm" {
				n = "WebM"
			}
			return kind{name: n, check: checkEBML, zeroTail: true}
		case videoExts[ext] || ext == ".heic" || ext == ".heif" || ext == ".avif" || ext == ".cr3":
			return kind{name: extName, check: notA, zeroTail: true}
		}
		if g := formatOfExt(name); g != formatUnknown {
			return kind{name: g.String(), check: notA}
		}
		switch ext {
		case ".dng", ".cr2", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".pef", ".orf", ".rw2", ".raf":
			return kind{name: extName, check: notA, zeroTail: true}
		}
	}
	return passIfNotEmpty
}

// bmffKind is the kind of an ISO-BMFF file, named by its extension when
// that is one of the family's, else by its content.
func bmffKind(ext, extName string, head []byte, f format) kind {
	k := kind{name: extName, check: checkBMFF, zeroTail: true, bmff: bmffVideo}
	image := ext == ".heic" || ext == ".heif" || ext == ".avif"
	switch {
	case f == formatHEIF || f == formatAVIF || image:
		k.bmff = bmffImage
		if !image {
			k.name = f.String()
		}
	case len(head) >= 12 && string(head[8:12]) == "crx ":
		k.name, k.bmff = "CR3", bmffVideo // a CR3's image tracks are in moov
	case !videoExts[ext] && ext != ".cr3":
		k.name, k.bmff = "MP4", bmffAny // an ISO file of another name
	}
	if k.name == "" || k.name == "QT" || k.name == "video" {
		k.name = "MOV"
	}
	return k
}

// isTIFFVariant reports TIFF structures with another magic number:
// Olympus ORF (IIRO, IIRS, MMOR) and Panasonic RW2 (IIU).
func isTIFFVariant(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	switch string(head[:4]) {
	case "IIRO", "IIRS", "MMOR", "IIU\x00":
		return true
	}
	return false
}

// checkNothing accepts any bytes.
func checkNothing(*stream, io.ReaderAt, kind, int64) error { return nil }

// notA rejects a file whose first bytes are no file of its kind.
func notA(_ *stream, _ io.ReaderAt, k kind, _ int64) error {
	return bad("not a %s file", k.name)
}

// truncated returns the problem of a structure that runs n bytes past
// the end of the file.
func truncated(n int64, format string, args ...any) error {
	return bad("truncated: %s runs %s past the end of the file", fmt.Sprintf(format, args...), domain.FormatBytes(n))
}
