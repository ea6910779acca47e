package davtest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// HostileAnswer is a way a broken or malicious server answers a sync of
// its folder /Photos.
type HostileAnswer string

// The answers of StartHostile. Each listing of /Photos also holds
// good.jpg, an ordinary file, so a test can tell that the rest was
// refused rather than nothing read.
const (
	HostileDotDot      HostileAnswer = "hrefs with .."                       // hrefs that climb out of the folder
	HostileOtherHost   HostileAnswer = "hrefs to other hosts"                // absolute URLs naming other hosts
	HostileEncoded     HostileAnswer = "encoded slashes and NUL"             // %2F and %00 in names
	HostileCaseFold    HostileAnswer = "names equal after case folding"      // IMG_1.JPG and img_1.jpg, different content
	HostileUnicode     HostileAnswer = "names equal after NFC"               // café.jpg in NFC and in NFD, different content
	HostileHugeListing HostileAnswer = "100 MB listing"                      // 100 MB of entries, streamed
	HostileEndless     HostileAnswer = "endless listing"                     // a listing that never ends
	HostileDeepXML     HostileAnswer = "deeply nested XML"                   // elements nested a million deep
	HostileRedirect    HostileAnswer = "redirect to another host"            // 307 to another host, for every request
	HostileLargerFile  HostileAnswer = "file larger than listed"             // GET sends 3 times the listed size
	HostileSmallerFile HostileAnswer = "file smaller than listed"            // GET sends half the listed size
	HostileEndlessFile HostileAnswer = "endless file"                        // GET streams without end, no length
	HostileLyingLength HostileAnswer = "file longer than its Content-Length" // GET declares the listed size, sends more
)

// HostileAnswers lists every answer.
var HostileAnswers = []HostileAnswer{HostileDotDot, HostileOtherHost, HostileEncoded, HostileCaseFold, HostileUnicode,
	HostileHugeListing, HostileEndless, HostileDeepXML, HostileRedirect, HostileLargerFile, HostileSmallerFile,
	HostileEndlessFile, HostileLyingLength}

// HostileSize is the size good.jpg is listed with.
const HostileSize = 1000

// HostileListingSize is the size of the HostileHugeListing answer.
const HostileListingSize = 100 << 20

// Hostile is a running hostile server. Its WebDAV endpoint is URL; the
// folder /Photos is what it lies about. Every other folder is empty, and
// uploads, folder creations and deletions are accepted and dropped.
type Hostile struct {
	URL      string
	Username string
	Password string
	// OtherURL is another host (localhost rather than 127.0.0.1) that the
	// hostile answers point to; it answers every request with 207 and an
	// empty folder, and notes whether it was sent credentials.
	OtherURL string
	// ListingSize is the size of the HostileHugeListing answer;
	// HostileListingSize unless a test lowers it before syncing.
	ListingSize int64

	answer    HostileAnswer
	otherAuth atomic.Int32
	served    atomic.Int64 // bytes of listings and files served
}

// StartHostile starts a hostile server on 127.0.0.1 giving answer.
func StartHostile(t testing.TB, answer HostileAnswer) *Hostile {
	t.Helper()
	h := &Hostile{Username: "photosync", Password: randomPassword(t), answer: answer, ListingSize: HostileListingSize}
	other := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			h.otherAuth.Add(1)
		}
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">%s</d:multistatus>`, hostileEntry(r.URL.Path, true, 0))
	}))
	h.OtherURL = strings.Replace(other, "127.0.0.1", "localhost", 1) + "/"
	h.URL = serveHTTP(t, requireBasicAuth(h.Username, h.Password, "hostile", http.HandlerFunc(h.serve))) + "/"
	return h
}

// OtherSawCredentials reports how many requests reached the other host
// with an Authorization header.
func (h *Hostile) OtherSawCredentials() int { return int(h.otherAuth.Load()) }

// Served returns the bytes of listings and files the server sent.
func (h *Hostile) Served() int64 { return h.served.Load() }

func (h *Hostile) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<30))
	if h.answer == HostileRedirect && (r.Method == "PROPFIND" || r.Method == http.MethodGet) && strings.HasPrefix(r.URL.Path, "/Photos") {
		http.Redirect(w, r, strings.TrimSuffix(h.OtherURL, "/")+r.URL.Path, http.StatusTemporaryRedirect)
		return
	}
	switch r.Method {
	case "PROPFIND":
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		cw := &countingWriter{w: w, n: &h.served}
		if r.Header.Get("Depth") == "1" && strings.TrimSuffix(r.URL.Path, "/") == "/Photos" {
			h.listing(cw, r)
			return
		}
		dir := r.URL.Path == "/" || strings.HasSuffix(r.URL.Path, "/") || path0(r.URL.Path) == "Photos"
		fmt.Fprintf(cw, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">%s</d:multistatus>`, hostileEntry(r.URL.EscapedPath(), dir, HostileSize))
	case http.MethodGet:
		if !strings.HasPrefix(r.URL.Path, "/Photos/") {
			http.NotFound(w, r) // status.php too: not a Nextcloud
			return
		}
		h.file(&countingResponse{ResponseWriter: w, n: &h.served}, r)
	case http.MethodPut, "MKCOL":
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func path0(p string) string { return strings.Trim(p, "/") }

// hostileEntry is one d:response, href as given (already escaped).
func hostileEntry(href string, dir bool, size int64) string {
	props := fmt.Sprintf(`<d:resourcetype/><d:getcontentlength>%d</d:getcontentlength>`, size)
	if dir {
		props = `<d:resourcetype><d:collection/></d:resourcetype>`
	}
	return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop>` + props +
		`<d:getlastmodified>Fri, 17 May 2024 10:30:00 GMT</d:getlastmodified><d:getetag>"e"</d:getetag></d:prop>` +
		`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`
}

// listing writes the hostile listing of /Photos.
func (h *Hostile) listing(w io.Writer, r *http.Request) {
	io.WriteString(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">`+hostileEntry("/Photos/", true, 0))
	file := func(href string) { io.WriteString(w, hostileEntry(href, false, HostileSize)) }
	switch h.answer {
	case HostileDotDot:
		for _, href := range []string{"/Photos/../evil.jpg", "/Photos/%2E%2E/evil.jpg", "/Photos/sub/../../evil.jpg",
			"/Photos/..", "/evil.jpg", "/Photos/..%2Fevil.jpg", "/Photos/%2e%2e%2fevil.jpg", "../evil.jpg"} {
			file(href)
		}
	case HostileOtherHost:
		for _, href := range []string{"http://other.example/Photos/evil.jpg", "//other.example/Photos/evil.jpg",
			h.OtherURL + "Photos/evil.jpg", "https://127.0.0.2/Photos/evil.jpg"} {
			file(href)
		}
	case HostileEncoded:
		for _, href := range []string{"/Photos/a%2Fb.jpg", "/Photos/a%00.jpg", "/Photos/%00", "/Photos/x.jpg%00.txt",
			"/Photos/a%5Cb.jpg", "/Photos/%0A.jpg"} {
			file(href)
		}
	case HostileCaseFold:
		file("/Photos/IMG_1.JPG")
		file("/Photos/img_1.jpg")
	case HostileUnicode:
		file("/Photos/caf%C3%A9.jpg")  // NFC
		file("/Photos/cafe%CC%81.jpg") // NFD
	case HostileHugeListing, HostileEndless:
		// Entries outside the folder with long names: each must be dropped
		// as it is read, never all kept.
		pad := strings.Repeat("x", 900)
		var n int64
		for i := 0; h.answer == HostileEndless || n < h.ListingSize; i++ {
			m, err := io.WriteString(w, hostileEntry(fmt.Sprintf("/Elsewhere/%s-%d.jpg", pad, i), false, HostileSize))
			if err != nil || r.Context().Err() != nil {
				return // the client went away
			}
			n += int64(m)
		}
	case HostileDeepXML:
		for range 1_000_000 {
			io.WriteString(w, "<d:prop>")
		}
		return
	}
	file("/Photos/good.jpg")
	io.WriteString(w, `</d:multistatus>`)
}

// file answers a GET of a file of /Photos: HostileSize bytes whose every
// byte is the first letter of the file's name, or what the answer says.
func (h *Hostile) file(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	b := byte('x')
	if name != "" {
		b = name[0]
	}
	if h.answer == HostileUnicode && strings.HasSuffix(r.URL.Path, "e\u0301.jpg") {
		b = 'D' // the NFD name's content differs
	}
	size := int64(HostileSize)
	switch h.answer {
	case HostileLargerFile:
		size *= 3
	case HostileSmallerFile:
		size /= 2
	case HostileEndlessFile:
		buf := []byte(strings.Repeat(string(b), 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
		return
	case HostileLyingLength:
		// Declares the size, sends more on a connection it then closes.
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(strings.Repeat(string(b), int(size)*2)))
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(size))
	w.Write([]byte(strings.Repeat(string(b), int(size))))
}

// countingWriter counts what it writes.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

type countingResponse struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingResponse) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}
