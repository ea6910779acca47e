package webdav_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/photosync/photosync/domain"
)

// davResponse is one d:response of a fake answer.
func davResponse(href, props string) string {
	return `<d:response><d:href>` + href + `</d:href><d:propstat><d:prop>` + props +
		`</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>` +
		`<d:propstat><d:prop><d:displayname/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>`
}

const (
	folderProps = `<d:resourcetype><d:collection/></d:resourcetype><d:getetag>"f1"</d:getetag>`
	fileProps   = `<d:resourcetype/><d:getcontentlength>4</d:getcontentlength><d:getetag>"e1"</d:getetag>` +
		`<d:getlastmodified>Fri, 17 May 2024 10:30:00 GMT</d:getlastmodified>`
)

// multistatusServer answers every PROPFIND with the given responses and
// keeps the bodies and Depth headers of the requests.
func multistatusServer(t *testing.T, responses ...string) (string, func() (bodies, depths []string)) {
	t.Helper()
	var mu sync.Mutex
	var bodies, depths []string
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, depths = append(bodies, string(b)), append(depths, r.Header.Get("Depth"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">`+strings.Join(responses, "")+`</d:multistatus>`)
	})
	return url, func() ([]string, []string) {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(bodies), slices.Clone(depths)
	}
}

func names(files []domain.RemoteFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

// TestListFindsTheFolderByItsHref: the folder itself is told by its href,
// wherever it is in the answer, hrefs may be absolute URLs, escaped in
// any case, and entries outside the folder are left out.
func TestListFindsTheFolderByItsHref(t *testing.T) {
	url, requests := multistatusServer(t,
		davResponse("/dir/a%20b.jpg", fileProps),
		davResponse("http://elsewhere.example/dir/%C3%A9t%c3%a9.jpg", fileProps),
		davResponse("/dir/sub/", folderProps),
		davResponse("/dir/sub/deeper.jpg", fileProps), // not a direct child
		davResponse("/other/x.jpg", fileProps),        // outside
		davResponse("/dir/..%2Fescape.jpg", fileProps),
		davResponse("/dir", folderProps), // the folder itself, last and without its slash
	)
	list, err := openFake(t, url, domain.TypeWebDAV).List(context.Background(), "/dir")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(list); !slices.Equal(got, []string{"a b.jpg", "été.jpg", "sub"}) {
		t.Fatalf("List = %q", got)
	}
	if f := list[0]; f.Path != "/dir/a b.jpg" || f.Size != 4 || f.ETag != `"e1"` || f.ModTime.Unix() != 1715941800 || f.IsDir {
		t.Fatalf("entry = %+v", f)
	}
	bodies, depths := requests()
	if depths[0] != "1" || strings.Contains(bodies[0], "owncloud") || !strings.Contains(bodies[0], "<d:getetag/>") {
		t.Fatalf("a WebDAV server was asked with Depth %q for %s", depths[0], bodies[0])
	}
}

// TestListBehindAProxy: when no href names the folder (a proxy serves the
// server below another path), the first entry is taken for it.
func TestListBehindAProxy(t *testing.T) {
	url, _ := multistatusServer(t,
		davResponse("/internal/dir/", folderProps),
		davResponse("/internal/dir/a.jpg", fileProps),
		davResponse("/internal/other.jpg", fileProps),
	)
	list, err := openFake(t, url, domain.TypeWebDAV).List(context.Background(), "/dir")
	if err != nil || !slices.Equal(names(list), []string{"a.jpg"}) {
		t.Fatalf("List = %q, %v", names(list), err)
	}
}

// TestNextcloudProperties: Nextcloud is asked for its checksums, file id
// and size; the SHA-1 is picked out of several checksums.
func TestNextcloudProperties(t *testing.T) {
	url, requests := multistatusServer(t,
		davResponse("/dir/", folderProps),
		davResponse("/dir/a.jpg", fileProps+`<oc:checksums><oc:checksum>MD5:900150983cd24fb0d6963f7d28e17f72</oc:checksum>`+
			`<oc:checksum>SHA1:A9993E364706816ABA3E25717850C26C9CD0D89D</oc:checksum></oc:checksums><oc:fileid>7</oc:fileid><oc:size>4</oc:size>`),
		davResponse("/dir/b.jpg", `<d:resourcetype/><oc:size>9</oc:size><oc:checksums><oc:checksum>SHA1:A9993E364706816ABA3E25717850C26C9CD0D89D MD5:x</oc:checksum></oc:checksums>`),
	)
	c := openFake(t, url, domain.TypeNextcloud)
	list, err := c.List(context.Background(), "/dir")
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	for _, f := range list {
		if f.Checksum != domain.SHA1Checksum("a9993e364706816aba3e25717850c26c9cd0d89d") {
			t.Errorf("%s: checksum %q", f.Name, f.Checksum)
		}
	}
	if list[1].Size != 9 {
		t.Errorf("b.jpg without getcontentlength: size %d, want oc:size 9", list[1].Size)
	}
	if _, err := c.Stat(context.Background(), "/dir/a.jpg"); err != nil {
		t.Fatal(err)
	}
	bodies, depths := requests()
	for _, p := range []string{"<oc:checksums/>", "<oc:fileid/>", "<oc:size/>", "<d:resourcetype/>", "<d:getcontentlength/>"} {
		if !strings.Contains(bodies[0], p) {
			t.Errorf("the listing did not ask for %s: %s", p, bodies[0])
		}
	}
	if !slices.Equal(depths, []string{"1", "0"}) {
		t.Errorf("Depth headers %q, want 1 for List and 0 for Stat", depths)
	}
}

// TestHostileMultistatus: answers too deep, or not a multistatus, are
// refused as not WebDAV.
func TestHostileMultistatus(t *testing.T) {
	deep := strings.Repeat("<x:a xmlns:x=\"urn:x\">", 40) + strings.Repeat("</x:a>", 40)
	for name, body := range map[string]string{
		"too deep":        `<d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop>` + deep + `</d:prop></d:propstat></d:response></d:multistatus>`,
		"not multistatus": `<html><body>hello</body></html>`,
		"empty":           ``,
	} {
		t.Run(name, func(t *testing.T) {
			url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusMultiStatus)
				fmt.Fprint(w, body)
			})
			_, err := openFake(t, url, domain.TypeWebDAV).List(context.Background(), "/")
			wantError(t, err, domain.EINVALID, "is not a WebDAV server")
		})
	}
}

// TestQuotaValues: negative quota-available-bytes mean uncomputed (-1),
// unknown (-2) and unlimited (-3).
func TestQuotaValues(t *testing.T) {
	for _, tc := range []struct {
		value string
		free  int64
		known bool
	}{
		{"123456", 123456, true}, {"0", 0, true}, {"-1", 0, false}, {"-2", 0, false}, {"-3", 0, false}, {"", 0, false},
	} {
		prop := ""
		if tc.value != "" {
			prop = "<d:quota-available-bytes>" + tc.value + "</d:quota-available-bytes>"
		}
		url, requests := multistatusServer(t, davResponse("/", folderProps+prop))
		free, known, err := openFake(t, url, domain.TypeNextcloud).Quota(context.Background())
		if err != nil || free != tc.free || known != tc.known {
			t.Errorf("quota %q: Quota = %d, %v, %v; want %d, %v", tc.value, free, known, err, tc.free, tc.known)
		}
		if bodies, depths := requests(); !strings.Contains(bodies[0], "<d:quota-available-bytes/>") || depths[0] != "0" {
			t.Errorf("Quota asked with Depth %q for %s", depths[0], bodies[0])
		}
	}
}
