// Package media reads photo and video files: it checksums them, reads
// their date taken and orientation (EXIF; a video's container), checks
// that images decode, and makes thumbnails and resized JPEG copies. It
// needs no cgo: JPEG, PNG, GIF, WebP, BMP and TIFF are decoded by the
// standard library's and golang.org/x/image's decoders, HEIC/HEIF and AVIF
// by libheif and libavif compiled to WebAssembly (github.com/gen2brain/heic
// and github.com/gen2brain/avif, run by wazero), RAW files are shown by
// the JPEG preview embedded in them, and videos by a frame from ffmpeg
// when it is configured, else a drawn poster with their duration.
// Metadata is read with github.com/bep/imagemeta and, for ISO base media
// files (MP4, MOV, HEIF, CR3), by walking their boxes.
//
// Inspector (ports.MediaInspector) reads a file once for the library
// index, Thumbnails (ports.Thumbnailer and ports.MediaDetailer) makes and
// caches previews and reads a file's details on demand, and Resizer
// (ports.Resizer) makes smaller JPEG copies for uploads that keep the EXIF
// date taken. Package mediatest generates the files their tests, and
// other packages' tests, need. docs/media.md tells what is shown per kind,
// the limits, and what it costs.
package media
