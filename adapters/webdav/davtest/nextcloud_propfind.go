package davtest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

// XML namespaces of the properties Nextcloud answers.
const (
	nsDAV = "DAV:"
	nsOC  = "http://owncloud.org/ns"
	nsNC  = "http://nextcloud.org/ns"
)

// davPrefixes are the prefixes Sabre declares on a multistatus answer.
var davPrefixes = map[string]string{nsDAV: "d", "http://sabredav.org/ns": "s", nsOC: "oc", nsNC: "nc"}

// Without a body (or with allprop) Sabre answers these properties.
var (
	allFileProps = []xml.Name{{Space: nsDAV, Local: "getlastmodified"}, {Space: nsDAV, Local: "getcontentlength"},
		{Space: nsDAV, Local: "resourcetype"}, {Space: nsDAV, Local: "getetag"}, {Space: nsDAV, Local: "getcontenttype"}}
	allFolderProps = []xml.Name{{Space: nsDAV, Local: "getlastmodified"}, {Space: nsDAV, Local: "resourcetype"},
		{Space: nsDAV, Local: "quota-used-bytes"}, {Space: nsDAV, Local: "quota-available-bytes"}, {Space: nsDAV, Local: "getetag"}}
)

// propfindRequest is a PROPFIND body.
type propfindRequest struct {
	XMLName  xml.Name  `xml:"DAV: propfind"`
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
	Prop     *struct {
		Names []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"DAV: prop"`
}

// davPropfind lists a file, or a folder and (Depth: 1) its children, in
// Sabre's multistatus form.
func (n *Nextcloud) davPropfind(w http.ResponseWriter, r *http.Request, t davTarget) {
	depth := 1
	switch d := strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))); {
	case d == "0":
		depth = 0
	case d == "infinity" || d == "":
		if !n.cfg.infinityAsOne {
			forbidden("PROPFIND with Depth: infinity (or without a Depth header) is not allowed here: " +
				"list folders one level at a time with Depth: 1").write(w)
			return
		}
	}
	props, err := parsePropfind(r.Body)
	if err != nil {
		davErrorf(http.StatusBadRequest, "BadRequest", err.Error()).write(w)
		return
	}

	n.files.tree.RLock()
	entries, err := n.listing(t.rel, depth)
	n.files.tree.RUnlock()
	if err != nil {
		statError(err, t.rel).write(w)
		return
	}

	minimal := r.Header.Get("Brief") == "t" || strings.Contains(r.Header.Get("Prefer"), "return=minimal")
	var buf bytes.Buffer
	buf.WriteString("<?xml version=\"1.0\"?>\n<d:multistatus")
	for _, ns := range []string{nsDAV, "http://sabredav.org/ns", nsOC, nsNC} {
		buf.WriteString(` xmlns:` + davPrefixes[ns] + `="` + ns + `"`)
	}
	buf.WriteString(">")
	for _, e := range entries {
		n.writeResponse(&buf, t, e, props, minimal)
	}
	buf.WriteString("</d:multistatus>\n")

	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Vary", "Brief,Prefer")
	h.Set("DAV", "1, 3, extended-mkcol")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(buf.Bytes())
}

// parsePropfind answers the properties a PROPFIND body asks for, nil for
// all of them.
func parsePropfind(body io.Reader) ([]xml.Name, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var req propfindRequest
	if err := xml.Unmarshal(data, &req); err != nil {
		return nil, errors.New("The request body is not a valid propfind: " + err.Error())
	}
	if req.Prop == nil {
		return nil, nil // allprop, and propname answered as allprop
	}
	names := make([]xml.Name, 0, len(req.Prop.Names))
	for _, p := range req.Prop.Names {
		names = append(names, p.XMLName)
	}
	return names, nil
}

// listing answers rel's entry and, when depth is 1 and it is a folder, its
// children's, sorted by name. Children are looked at first: one changed on
// disk changes the folder's ETag.
func (n *Nextcloud) listing(rel string, depth int) ([]entry, error) {
	fi, err := os.Stat(n.files.abs(rel))
	if err != nil {
		return nil, err
	}
	var children []entry
	if depth > 0 && fi.IsDir() {
		des, err := os.ReadDir(n.files.abs(rel))
		if err != nil {
			return nil, err
		}
		for _, de := range des {
			e, err := n.files.stat(path.Join(rel, de.Name()))
			if err != nil {
				continue // removed meanwhile
			}
			children = append(children, e)
		}
		sort.Slice(children, func(i, j int) bool { return children[i].rel < children[j].rel })
	}
	self, err := n.files.stat(rel)
	if err != nil {
		return nil, err
	}
	return append([]entry{self}, children...), nil
}

// writeResponse writes one d:response: the properties found under 200,
// the others under 404 (left out when the client asked for a minimal
// answer).
func (n *Nextcloud) writeResponse(buf *bytes.Buffer, t davTarget, e entry, props []xml.Name, minimal bool) {
	if props == nil {
		props = allFileProps
		if e.isDir {
			props = allFolderProps
		}
	}
	var found, missing bytes.Buffer
	for _, p := range props {
		v, ok := n.propValue(e, p)
		if !ok {
			writeEmptyProp(&missing, p)
			continue
		}
		prefix := davPrefixes[p.Space]
		if v == "" {
			found.WriteString("<" + prefix + ":" + p.Local + "/>")
		} else {
			found.WriteString("<" + prefix + ":" + p.Local + ">" + v + "</" + prefix + ":" + p.Local + ">")
		}
	}
	buf.WriteString("<d:response><d:href>" + t.href(e.rel, e.isDir) + "</d:href>")
	if found.Len() > 0 {
		buf.WriteString("<d:propstat><d:prop>")
		buf.Write(found.Bytes())
		buf.WriteString("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
	}
	if missing.Len() > 0 && !minimal {
		buf.WriteString("<d:propstat><d:prop>")
		buf.Write(missing.Bytes())
		buf.WriteString("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
	}
	buf.WriteString("</d:response>")
}

// writeEmptyProp writes a property's empty element, declaring its namespace
// when Sabre has no prefix for it.
func writeEmptyProp(buf *bytes.Buffer, p xml.Name) {
	if prefix, ok := davPrefixes[p.Space]; ok {
		buf.WriteString("<" + prefix + ":" + p.Local + "/>")
		return
	}
	if p.Space == "" {
		buf.WriteString("<" + p.Local + " xmlns=\"\"/>")
		return
	}
	buf.WriteString("<x1:" + p.Local + " xmlns:x1=\"" + xmlAttr(p.Space) + "\"/>")
}

// propValue answers a property's XML content, already escaped, and whether
// the entry has it. Values are those of Nextcloud for the owner of a file
// in their own home.
func (n *Nextcloud) propValue(e entry, p xml.Name) (string, bool) {
	file := !e.isDir
	switch p {
	case xml.Name{Space: nsDAV, Local: "getlastmodified"}:
		return e.modTime.UTC().Format(http.TimeFormat), true
	case xml.Name{Space: nsDAV, Local: "getcontentlength"}:
		return strconv.FormatInt(e.size, 10), file
	case xml.Name{Space: nsDAV, Local: "getcontenttype"}:
		return xmlText(contentType(path.Base(e.rel))), file
	case xml.Name{Space: nsDAV, Local: "resourcetype"}:
		if e.isDir {
			return "<d:collection/>", true
		}
		return "", true
	case xml.Name{Space: nsDAV, Local: "getetag"}:
		return "&quot;" + xmlText(e.etag) + "&quot;", true
	case xml.Name{Space: nsDAV, Local: "quota-used-bytes"}:
		return strconv.FormatInt(e.size, 10), e.isDir
	case xml.Name{Space: nsDAV, Local: "quota-available-bytes"}:
		return n.quotaAvailable(e.rel), e.isDir
	case xml.Name{Space: nsOC, Local: "checksums"}:
		return checksumsProp(e)
	case xml.Name{Space: nsOC, Local: "id"}:
		return n.files.ocID(e.id), true
	case xml.Name{Space: nsOC, Local: "fileid"}:
		return strconv.FormatInt(e.id, 10), true
	case xml.Name{Space: nsOC, Local: "size"}:
		return strconv.FormatInt(e.size, 10), true
	case xml.Name{Space: nsOC, Local: "permissions"}:
		if e.isDir {
			return "RGDNVCK", true
		}
		return "RGDNVW", true
	case xml.Name{Space: nsOC, Local: "favorite"}:
		return "0", true
	case xml.Name{Space: nsOC, Local: "owner-id"}:
		return xmlText(n.UserID), true
	case xml.Name{Space: nsOC, Local: "owner-display-name"}:
		return xmlText(n.DisplayName), true
	}
	return "", false
}

// xmlAttr escapes text for an attribute value.
func xmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
