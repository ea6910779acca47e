package domain

import (
	"net/url"
	"strings"
)

// NormalizeURL turns what a person typed into a server URL: https:// is
// added when there is no scheme, the scheme and host are lower-cased, and
// the path ends in a slash. User info, queries and fragments are refused
// because credentials belong in their own fields and a WebDAV endpoint has
// neither.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Errorf(EINVALID, "the server URL is empty")
	}
	if hasControl(s) {
		return "", Errorf(EINVALID, "the server URL contains control characters")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", Errorf(EINVALID, "the server URL %q is not a valid URL", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Errorf(EINVALID, "the server URL must start with http:// or https://, not %s://", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", Errorf(EINVALID, "the server URL %q has no host", raw)
	}
	if u.User != nil {
		return "", Errorf(EINVALID, "put the user name and password in their own fields, not in the URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", Errorf(EINVALID, "the server URL must not have a query or a fragment")
	}
	if port := u.Port(); port != "" {
		u.Host = strings.ToLower(u.Hostname()) + ":" + port
		if strings.Contains(u.Hostname(), ":") { // IPv6 literal
			u.Host = "[" + strings.ToLower(u.Hostname()) + "]:" + port
		}
		if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
			u.Host = strings.TrimSuffix(u.Host, ":"+port)
		}
	} else {
		u.Host = strings.ToLower(u.Host)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	for _, part := range strings.Split(u.Path, "/") {
		if part == ".." || part == "." {
			return "", Errorf(EINVALID, "the server URL must not contain . or .. path parts")
		}
	}
	return u.String(), nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
