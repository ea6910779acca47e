package webdav

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// FuzzParsePropfind feeds arbitrary answers to the multistatus parser and
// to the choice of a folder's entries: it never panics, never reads
// deeper than maxXMLDepth, and List never returns an entry that is not a
// direct child of the folder with a usable name.
func FuzzParsePropfind(f *testing.F) {
	for _, seed := range []string{
		`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dir/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
			`<d:response><d:href>/dir/a.jpg</d:href><d:propstat><d:prop><d:getcontentlength>4</d:getcontentlength></d:prop></d:propstat></d:response></d:multistatus>`,
		`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dir/../../etc/passwd</d:href></d:response><d:response><d:href>/dir/a%2Fb</d:href></d:response><d:response><d:href>/dir/%00</d:href></d:response></d:multistatus>`,
		`<d:multistatus xmlns:d="DAV:"><d:response><d:href>http://other.example/dir/x.jpg</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response></d:multistatus>`,
		strings.Repeat("<a>", 100),
		`<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response><d:href>/dir</d:href><d:propstat><d:prop><oc:checksums><oc:checksum>SHA1:a9993e364706816aba3e25717850c26c9cd0d89d</oc:checksum></oc:checksums></d:prop></d:propstat></d:response>`,
		``,
	} {
		f.Add([]byte(seed))
	}
	c := &Client{logger: slog.New(slog.DiscardHandler)}
	u, _ := url.Parse("http://127.0.0.1/dir/")
	f.Fuzz(func(t *testing.T, body []byte) {
		var entries []davEntry
		err := parseMultistatus(bytes.NewReader(body), func(e davEntry) error {
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return
		}
		files, err := c.children(context.Background(), "/dir", u, entries, target{op: "list", what: "/dir"})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, f := range files {
			if !validName(f.Name) || f.Path != "/dir/"+f.Name || seen[f.Name] || f.Size < 0 {
				t.Fatalf("List gave %+v from %q", f, body)
			}
			seen[f.Name] = true
		}
	})
}
