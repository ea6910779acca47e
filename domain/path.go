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

// JoinRemotePath joins a clean remote folder and a relative name.
func JoinRemotePath(dir, name string) string {
	return path.Join("/", dir, name)
}
