package davtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// OCS status codes (OCSController::RESPOND_*).
const (
	ocsOK           = 200 // shown as 100 by the v1 API
	ocsUnauthorised = 997
	ocsNotFound     = 998
	ocsServerError  = 996
	ocsUnknownError = 999
)

// ocsEndpoint answers an OCS call of the logged-in user: the data, an OCS
// status (ocsOK on success) and, on failure, a message.
type ocsEndpoint func(r *http.Request, userID string) (data any, status int, message string)

// handleOCS serves an OCS endpoint of API version 1 or 2 the way Nextcloud's
// OCS controllers do: the session or Basic auth (997 and HTTP 401 without
// either), the
// OCS-APIRequest header required against CSRF (a bare 412 without it), and
// the answer wrapped in the ocs/meta/data envelope as JSON or XML.
func (n *Nextcloud) handleOCS(version int, endpoint ocsEndpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			// Nextcloud's router answers an empty 405.
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		format := ocsFormat(r)
		// A session signs the request in as it does a DAV request
		// (OC::init logs a request in only when its session has not),
		// else its credentials.
		id := n.sessionLogin(r)
		ok := id != ""
		if !ok {
			id, _, ok = n.login(r)
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="Authorisation Required"`)
			writeOCS(w, version, format, ocsUnauthorised, "Current user is not logged in", ocsObject{})
			return
		}
		// Nextcloud accepts a session without a CSRF token only on OCS
		// routes, and only when the client says it is an API client.
		if r.Header.Get("OCS-APIRequest") != "true" {
			csrfFailed(w, r)
			return
		}
		data, status, msg := endpoint(r, id)
		writeOCS(w, version, format, status, msg, data)
	})
}

// ocsFormat answers "json" or "xml": the format parameter, else the first
// Accept entry naming one of them exactly, else XML.
func ocsFormat(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return f
	}
	for _, a := range strings.Split(r.Header.Get("Accept"), ",") {
		switch strings.ToLower(strings.TrimSpace(a)) {
		case "application/json":
			return "json"
		case "application/xml":
			return "xml"
		}
	}
	return "xml"
}

// csrfFailed answers as Nextcloud's security middleware does when the CSRF
// check fails: 412 with a JSON message, or an HTML page for browsers.
func csrfFailed(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(strings.ToLower(r.Header.Get("Accept")), "html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusPreconditionFailed)
		_, _ = fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Nextcloud</title></head><body><h2>Access forbidden</h2><p>CSRF check failed</p></body></html>\n")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusPreconditionFailed)
	_, _ = fmt.Fprint(w, `{"message":"CSRF check failed"}`)
}

// writeOCS answers an OCS envelope. Version 1 answers HTTP 200 for all but
// 997 and shows success as statuscode 100; version 2 maps the OCS status to
// the HTTP status and shows it as is.
func writeOCS(w http.ResponseWriter, version int, format string, status int, message string, data any) {
	var httpStatus int
	var meta ocsObject
	if version == 1 {
		httpStatus = http.StatusOK
		if status == ocsUnauthorised {
			httpStatus = http.StatusUnauthorized
		}
		code := status
		if code == ocsOK {
			code = 100
		}
		st, msg := "failure", message
		if code == 100 {
			st, msg = "ok", "OK"
		}
		meta = ocsObject{{"status", st}, {"statuscode", code}, {"message", msg}, {"totalitems", ""}, {"itemsperpage", ""}}
	} else {
		switch {
		case status == ocsUnauthorised:
			httpStatus = http.StatusUnauthorized
		case status == ocsNotFound:
			httpStatus = http.StatusNotFound
		case status == ocsServerError || status == ocsUnknownError:
			httpStatus = http.StatusInternalServerError
		case status < 200 || status > 600:
			httpStatus = http.StatusBadRequest
		default:
			httpStatus = status
		}
		st, msg := "failure", message
		if status >= 200 && status < 300 {
			st, msg = "ok", "OK"
		}
		meta = ocsObject{{"status", st}, {"statuscode", status}, {"message", msg}}
	}
	body := ocsObject{{"ocs", ocsObject{{"meta", meta}, {"data", data}}}}

	var buf bytes.Buffer
	if format == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		writeJSON(&buf, body)
	} else {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		buf.WriteString("<?xml version=\"1.0\"?>\n")
		for _, f := range body {
			writeXMLElement(&buf, f.key, f.value, 0)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(httpStatus)
	_, _ = w.Write(buf.Bytes())
}

// ocsObject is an ordered set of fields, rendered as a JSON object or as XML
// elements in order, as PHP's associative arrays are. Empty, it renders as
// PHP's empty array: [] or an empty element.
type ocsObject []ocsField

type ocsField struct {
	key   string
	value any // string, int, int64, float64, bool, nil, ocsObject or []any
}

// writeJSON renders v as PHP's json_encode does.
func writeJSON(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case ocsObject:
		if len(v) == 0 {
			buf.WriteString("[]")
			return
		}
		buf.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(f.key)
			buf.Write(k)
			buf.WriteByte(':')
			writeJSON(buf, f.value)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, e)
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte("null")
		}
		buf.Write(b)
	}
}

// writeXMLElement renders v as PHP's XMLWriter does with indentation, as
// Nextcloud's OCS responses are: list items are <element>, true is 1,
// false and "" are empty, null and empty arrays are self-closing.
func writeXMLElement(buf *bytes.Buffer, key string, v any, depth int) {
	indent := strings.Repeat(" ", depth)
	var children []ocsField
	switch v := v.(type) {
	case nil:
		fmt.Fprintf(buf, "%s<%s/>\n", indent, key)
		return
	case ocsObject:
		children = v
	case []any:
		for _, e := range v {
			children = append(children, ocsField{"element", e})
		}
	default:
		fmt.Fprintf(buf, "%s<%s>%s</%s>\n", indent, key, xmlText(phpString(v)), key)
		return
	}
	if len(children) == 0 {
		fmt.Fprintf(buf, "%s<%s/>\n", indent, key)
		return
	}
	fmt.Fprintf(buf, "%s<%s>\n", indent, key)
	for _, c := range children {
		writeXMLElement(buf, c.key, c.value, depth+1)
	}
	fmt.Fprintf(buf, "%s</%s>\n", indent, key)
}

// phpString converts a scalar as PHP's (string) cast does.
func phpString(v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "1"
		}
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// xmlText escapes text as XML character data.
func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
