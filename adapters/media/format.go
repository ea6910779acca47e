package media

import (
	"bytes"
	"path"
	"strings"

	"github.com/bep/imagemeta"
)

// format is what a file's content is, by its first bytes and, where those
// say too little, its extension.
type format int

const (
	formatUnknown format = iota
	formatJPEG
	formatPNG
	formatGIF
	formatWebP
	formatBMP
	formatTIFF // a TIFF image, or a TIFF-based RAW file (DNG, CR2, NEF, ARW, PEF)
	formatHEIF
	formatAVIF
	formatVideo // ISO base media (MP4, MOV, 3GP) and anything else with no image in it
	formatRAW   // a camera RAW file shown by its embedded preview (CR3 by content; others by name)
)

// sniffLen is how many leading bytes sniff looks at.
const sniffLen = 16

// String names the format for messages.
func (f format) String() string {
	switch f {
	case formatJPEG:
		return "JPEG"
	case formatPNG:
		return "PNG"
	case formatGIF:
		return "GIF"
	case formatWebP:
		return "WebP"
	case formatBMP:
		return "BMP"
	case formatTIFF:
		return "TIFF"
	case formatHEIF:
		return "HEIF"
	case formatAVIF:
		return "AVIF"
	case formatVideo:
		return "video"
	case formatRAW:
		return "RAW"
	}
	return "unknown"
}

// decodable reports whether a pure-Go decoder reads the format's pixels.
func (f format) decodable() bool {
	switch f {
	case formatJPEG, formatPNG, formatGIF, formatWebP, formatBMP, formatTIFF:
		return true
	}
	return false
}

// sniff tells the format of a file from its first bytes (at least sniffLen
// of them when the file is that long) and its name.
func sniff(name string, head []byte) format {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		return formatJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return formatGIF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return formatWebP
	case bytes.HasPrefix(head, []byte("BM")) && ext == ".bmp":
		return formatBMP
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return formatTIFF
	case bytes.HasPrefix(head, []byte("FUJIFILMCCD-RAW")), bytes.HasPrefix(head, []byte("IIU\x00")),
		bytes.HasPrefix(head, []byte("IIRO")), bytes.HasPrefix(head, []byte("IIRS")), bytes.HasPrefix(head, []byte("MMOR")):
		return formatRAW // RAF, RW2, ORF
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch string(head[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			if ext == ".avif" {
				return formatAVIF
			}
			return formatHEIF
		case "avif", "avis":
			return formatAVIF
		case "crx ":
			return formatRAW
		}
		return formatVideo
	}
	return formatUnknown
}

// formatOfExt is the format a file of this name claims to be, for files
// whose first bytes match no known format.
func formatOfExt(name string) format {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg":
		return formatJPEG
	case ".png":
		return formatPNG
	case ".gif":
		return formatGIF
	case ".webp":
		return formatWebP
	case ".bmp":
		return formatBMP
	case ".tif", ".tiff":
		return formatTIFF
	}
	return formatUnknown
}

// metaFormat is the imagemeta format to read a file's metadata with, and
// false when imagemeta cannot read it. TIFF-based RAW files are read as the
// RAW format their extension names, so that imagemeta looks for the sizes
// of the full image in their sub-IFDs.
func metaFormat(name string, f format) (imagemeta.ImageFormat, bool) {
	switch f {
	case formatJPEG:
		return imagemeta.JPEG, true
	case formatPNG:
		return imagemeta.PNG, true
	case formatWebP:
		return imagemeta.WebP, true
	case formatHEIF:
		return imagemeta.HEIF, true
	case formatAVIF:
		return imagemeta.AVIF, true
	case formatTIFF:
		switch strings.ToLower(path.Ext(name)) {
		case ".tif", ".tiff":
			return imagemeta.TIFF, true
		case ".cr2":
			return imagemeta.CR2, true
		case ".nef", ".nrw":
			return imagemeta.NEF, true
		case ".arw", ".srf", ".sr2":
			return imagemeta.ARW, true
		case ".pef":
			return imagemeta.PEF, true
		}
		return imagemeta.DNG, true
	}
	return imagemeta.ImageFormatAuto, false
}
