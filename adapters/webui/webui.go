// Package webui is photosync's web app: plain HTML, CSS and JavaScript
// modules, embedded in the binary so that nothing beyond `go build` is
// needed. It has no framework and no build step; the JSON API of
// adapters/httpapi is its only server side.
//
// The files are laid out as the browser asks for them: index.html at the
// root and every other file below assets/. index.html refers to its
// assets as "/assets/…"; the server may rewrite that prefix to a
// versioned one (see adapters/httpapi) so the assets can be cached for
// good, and the modules import each other by relative paths so that they
// follow whatever prefix the page was given.
package webui

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Assets returns the web app's files: index.html and assets/….
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "static" is valid.
		panic(err)
	}
	return sub
}
