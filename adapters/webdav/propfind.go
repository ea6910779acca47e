package webdav

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
)

// This file sends PROPFIND and reads its multistatus answer as a stream:
// gowebdav can neither ask for Nextcloud's properties (oc:checksums) nor
// tell the folder itself from its entries other than by position.

// XML namespaces of the properties asked for.
const (
	nsDAV = "DAV:"
	nsOC  = "http://owncloud.org/ns"
)

// Bounds on a PROPFIND answer besides its size (maxListingBody): how deep
// its elements nest, and how much text one property holds.
const (
	maxXMLDepth = 32
	maxPropText = 64 << 10
)

// The bodies of the PROPFIND requests: the properties of files and
// folders every WebDAV server has, those plus Nextcloud's checksums, file
// id and size, and the quota of a folder (RFC 4331).
const (
	propsWebDAV = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/></d:prop></d:propfind>`
	propsNextcloud = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>` +
		`<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/>` +
		`<oc:checksums/><oc:fileid/><oc:size/></d:prop></d:propfind>`
	propsQuota = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:quota-available-bytes/><d:quota-used-bytes/></d:prop></d:propfind>`
)

var (
	errNotMultistatus = errors.New("the answer is not a DAV:multistatus")
	errTooDeep        = errors.New("the answer's XML nests deeper than photosync reads")
)

// davEntry is one d:response of a multistatus answer, with the properties
// of its propstats of status 2xx.
type davEntry struct {
	href     string // as sent
	status   int    // the response's own status; 0 when it has propstats
	isDir    bool
	size     int64 // getcontentlength, -1 when not given
	modTime  time.Time
	etag     string
	checksum domain.Checksum // the SHA-1 of oc:checksums, zero for none
	fileID   string
	ocSize   int64 // oc:size, -1 when not given
	quota    int64 // quota-available-bytes, when hasQuota
	hasQuota bool
}

// propstat is what one d:propstat holds until its status is known.
type propstat struct {
	status    int
	isDir     bool
	size      *int64
	modTime   *time.Time
	etag      *string
	checksums []string
	fileID    *string
	ocSize    *int64
	quota     *int64
}

// merge adds a propstat's properties to e.
func (ps *propstat) merge(e *davEntry) {
	e.isDir = e.isDir || ps.isDir
	if ps.size != nil {
		e.size = *ps.size
	}
	if ps.modTime != nil {
		e.modTime = *ps.modTime
	}
	if ps.etag != nil {
		e.etag = *ps.etag
	}
	if sum := parseOCChecksums(strings.Join(ps.checksums, " ")); !sum.IsZero() {
		e.checksum = sum
	}
	if ps.fileID != nil {
		e.fileID = *ps.fileID
	}
	if ps.ocSize != nil {
		e.ocSize = *ps.ocSize
	}
	if ps.quota != nil {
		e.quota, e.hasQuota = *ps.quota, true
	}
}

// set records the value of one property element of d:prop.
func (ps *propstat) set(name xml.Name, v string) {
	switch name {
	case xml.Name{Space: nsDAV, Local: "getcontentlength"}:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			ps.size = &n
		}
	case xml.Name{Space: nsDAV, Local: "getlastmodified"}:
		t, err := http.ParseTime(v)
		if err != nil { // a numeric zone, which some servers write
			t, err = time.Parse(time.RFC1123Z, v)
		}
		if err == nil && t.Unix() > 0 {
			ps.modTime = &t
		}
	case xml.Name{Space: nsDAV, Local: "getetag"}:
		ps.etag = &v
	case xml.Name{Space: nsOC, Local: "fileid"}:
		ps.fileID = &v
	case xml.Name{Space: nsOC, Local: "size"}:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			ps.ocSize = &n
		}
	case xml.Name{Space: nsDAV, Local: "quota-available-bytes"}:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			ps.quota = &n
		}
	}
}

// parseMultistatus reads a multistatus answer and calls each for every
// d:response in it, in order, as soon as it is read. Elements nested
// deeper than maxXMLDepth fail the answer; text beyond maxPropText in one
// element is ignored.
func parseMultistatus(r io.Reader, each func(davEntry) error) error {
	d := xml.NewDecoder(r)
	var (
		stack []xml.Name
		text  strings.Builder
		cur   *davEntry
		ps    *propstat
		root  bool
	)
	top := func() xml.Name {
		if len(stack) == 0 {
			return xml.Name{}
		}
		return stack[len(stack)-1]
	}
	dav := func(local string) xml.Name { return xml.Name{Space: nsDAV, Local: local} }
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 || cur != nil {
				return io.ErrUnexpectedEOF
			}
			if !root {
				return errNotMultistatus
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return errTooDeep
			}
			parent := top()
			stack = append(stack, tk.Name)
			text.Reset()
			switch {
			case len(stack) == 1:
				if tk.Name != dav("multistatus") {
					return errNotMultistatus
				}
				root = true
			case len(stack) == 2 && tk.Name == dav("response"):
				cur = &davEntry{size: -1, ocSize: -1}
			case cur != nil && parent == dav("response") && tk.Name == dav("propstat"):
				ps = &propstat{}
			case ps != nil && parent == dav("resourcetype") && tk.Name == dav("collection"):
				ps.isDir = true
			}
		case xml.CharData:
			if text.Len()+len(tk) <= maxPropText {
				text.Write(tk)
			}
		case xml.EndElement:
			name := top()
			stack = stack[:len(stack)-1]
			parent := top()
			v := strings.TrimSpace(text.String())
			text.Reset()
			switch {
			case cur == nil:
			case name == dav("href") && parent == dav("response"):
				if cur.href == "" {
					cur.href = v
				}
			case name == dav("status") && parent == dav("response"):
				cur.status = statusLine(v)
			case ps == nil:
			case name == dav("status") && parent == dav("propstat"):
				ps.status = statusLine(v)
			case name == xml.Name{Space: nsOC, Local: "checksum"} && parent == xml.Name{Space: nsOC, Local: "checksums"}:
				ps.checksums = append(ps.checksums, v)
			case parent == dav("prop"):
				ps.set(name, v)
			case name == dav("propstat"):
				// A propstat without a status is taken as found.
				if ps.status == 0 || (ps.status >= 200 && ps.status < 300) {
					ps.merge(cur)
				}
				ps = nil
			}
			if name == dav("response") && len(stack) == 1 {
				e := *cur
				cur, ps = nil, nil
				if err := each(e); err != nil {
					return err
				}
			}
		}
	}
}

// statusLine reads the status of "HTTP/1.1 200 OK"; 0 when it cannot.
func statusLine(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

// hrefPath returns the unescaped path of an href, which may be an absolute
// URL or a path, relative to the request's URL.
func hrefPath(req *url.URL, href string) (string, error) {
	if href == "" {
		return "", errors.New("no href")
	}
	u, err := req.Parse(href)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}

// propfind sends PROPFIND to u with a Depth header and calls each for the
// entries of a 207 answer. Any other status is returned with the answer's
// header and no error, for the caller to interpret. Errors are failures to
// get or read the answer, and answers that are not WebDAV; each's own
// errors are returned as they are.
func (c *Client) propfind(ctx context.Context, u *url.URL, depth, body string, t target, each func(davEntry) error) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", u.String(), strings.NewReader(body))
	if err != nil {
		return 0, nil, t.transportError(ctx, err)
	}
	req.Header.Set("Depth", depth)
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	req.SetBasicAuth(c.user, c.pass)
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, resp.Header, nil
	}
	var eachErr error
	err = parseMultistatus(resp.Body, func(e davEntry) error {
		eachErr = each(e)
		return eachErr
	})
	switch {
	case x.err != nil || ctx.Err() != nil:
		return 0, nil, t.transportError(ctx, errors.Join(x.err, ctx.Err(), err))
	case eachErr != nil:
		return 0, nil, eachErr
	case err != nil:
		return 0, nil, t.notWebDAV("207 with XML photosync cannot read", fmt.Errorf("PROPFIND %s: %w", u.Redacted(), err))
	}
	return http.StatusMultiStatus, resp.Header, nil
}

// propsBody is the PROPFIND body for the client's kind of server.
func (c *Client) propsBody() string {
	if c.isNextcloud() {
		return propsNextcloud
	}
	return propsWebDAV
}
