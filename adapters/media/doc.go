// Package media reads photo and video files: it checksums them, reads their
// EXIF date taken and orientation, checks that images decode, and makes
// thumbnails and resized JPEG copies. It uses the standard library's and
// golang.org/x/image's pure-Go decoders and github.com/bep/imagemeta for
// metadata, so it needs no cgo.
//
// Inspector (ports.MediaInspector) reads a file once for the library
// index, Thumbnails (ports.Thumbnailer) makes and caches previews, and
// Resizer (ports.Resizer) makes smaller JPEG copies for uploads that keep
// the EXIF date taken. Package mediatest generates the files their tests,
// and other packages' tests, need.
package media
