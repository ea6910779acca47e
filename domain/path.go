package domain

import (
	"path"
	"strings"
	"unicode/utf8"
)

// CleanRemotePath normalises a folder or file path on a remote server:
// a leading slash, no trailing slash (but "/" for the root), no empty or "."
// parts, and no "..", backslash or control characters, so a path can never
// climb out of the account's endpoint.
func CleanRemotePath(p string) (string, error) {
	if isCleanRemote(p) {
		return p, nil // the common case, without allocating
	}
	return cleanRemotePath(p)
}

// cleanRemotePath is CleanRemotePath for a path that is not clean yet.
func cleanRemotePath(p string) (string, error) {
	if !utf8.ValidString(p) {
		return "", Errorf(EINVALID, "the path is not valid UTF-8")
	}
	if hasControl(p) {
		return "", Errorf(EINVALID, "the path %q contains control characters", p)
	}
	if strings.Contains(p, `\`) {
		return "", Errorf(EINVALID, "the path %q contains a backslash", p)
	}
	parts := strings.Split(p, "/")
	kept := parts[:0]
	for _, part := range parts {
		switch part {
		case "", ".":
			continue
		case "..":
			return "", Errorf(EINVALID, "the path %q must not contain ..", p)
		}
		kept = append(kept, part)
	}
	return "/" + strings.Join(kept, "/"), nil
}

// isCleanRemote reports whether CleanRemotePath would answer p itself:
// valid UTF-8 starting with a slash, without a control character, a
// backslash, an empty, "." or ".." part, or a trailing slash (but "/").
func isCleanRemote(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' || !utf8.ValidString(p) {
		return false
	}
	start := 1 // of the current part
	for i := 1; i <= len(p); i++ {
		if i < len(p) {
			c := p[i]
			if c < 0x20 || c == 0x7f || c == '\\' {
				return false
			}
			if c != '/' {
				continue
			}
		}
		switch p[start:i] {
		case "", ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}

// JoinRemotePath joins a clean remote folder and a relative name.
func JoinRemotePath(dir, name string) string {
	return path.Join("/", dir, name)
}
