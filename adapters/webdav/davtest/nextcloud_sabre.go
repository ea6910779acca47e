package davtest

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// davError is an error answer in the form of Sabre, Nextcloud's WebDAV
// server: an XML body naming the exception class and a message.
type davError struct {
	status    int
	exception string // the PHP exception class
	message   string
}

// davErrorf answers an error of one of Sabre's exception classes, named
// without their Sabre\DAV\Exception\ prefix.
func davErrorf(status int, exception, message string) *davError {
	return &davError{status: status, exception: `Sabre\DAV\Exception\` + exception, message: message}
}

func notFound(msg string) *davError  { return davErrorf(http.StatusNotFound, "NotFound", msg) }
func forbidden(msg string) *davError { return davErrorf(http.StatusForbidden, "Forbidden", msg) }
func conflict(msg string) *davError  { return davErrorf(http.StatusConflict, "Conflict", msg) }

func notImplemented(method string) *davError {
	return davErrorf(http.StatusNotImplemented, "NotImplemented",
		"There was no plugin in the system that was willing to handle this "+method+" method.")
}

func internalError(err error) *davError {
	return &davError{status: http.StatusInternalServerError, exception: "Exception", message: err.Error()}
}

func (e *davError) write(w http.ResponseWriter) {
	sabreError(w, e.status, e.exception, e.message)
}

// sabreError answers status with Sabre's XML error body for an exception
// of the given PHP class.
func sabreError(w http.ResponseWriter, status int, exception, message string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"+
		"<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">\n"+
		"  <s:exception>%s</s:exception>\n"+
		"  <s:message>%s</s:message>\n"+
		"</d:error>\n", exception, xmlText(message))
}

// encodePath escapes a path as Sabre does: every byte but letters, digits
// and _-.~()/:@ becomes a lower-case %xx, so "é" is "%c3%a9" where Go's
// url package would write "%C3%A9".
func encodePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("_-.~()/:@", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

// quote answers an ETag as sent in headers and getetag: in double quotes.
func quote(etag string) string { return `"` + etag + `"` }

// nextcloudTypes are the media types Nextcloud's mimetype mapping gives the
// photo formats Go's own table lacks or names differently.
var nextcloudTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".heic": "image/heic", ".heif": "image/heif",
	".tif": "image/tiff", ".tiff": "image/tiff", ".bmp": "image/bmp",
	".dng": "image/x-dcraw", ".cr2": "image/x-dcraw", ".cr3": "image/x-dcraw", ".crw": "image/x-dcraw",
	".nef": "image/x-dcraw", ".nrw": "image/x-dcraw", ".arw": "image/x-dcraw", ".raf": "image/x-dcraw",
	".orf": "image/x-dcraw", ".rw2": "image/x-dcraw", ".pef": "image/x-dcraw", ".srw": "image/x-dcraw",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".avi": "video/x-msvideo",
	".mkv": "video/x-matroska", ".3gp": "video/3gpp", ".mts": "video/MP2T", ".m2ts": "video/MP2T",
	".webm": "video/webm", ".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".wmv": "video/x-ms-wmv",
	".xmp": "application/octet-stream", ".json": "application/json", ".txt": "text/plain",
}

// contentType answers the media type Nextcloud gives a file name.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := nextcloudTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// contentDisposition answers the Content-Disposition Nextcloud sends with a
// download.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename*=UTF-8''` + url.PathEscape(name) + `; filename="` + ascii + `"`
}
