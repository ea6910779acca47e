package davtest

import (
	"net/http"
	"strings"
)

// CorruptGET is a middleware (see WithMiddleware) that flips the first
// byte of the body of every GET of a path ending in suffix, leaving the
// headers (OC-Checksum, Content-Length) as they are: bytes damaged on the
// way.
func CorruptGET(suffix string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, suffix) {
				w = &flipFirst{ResponseWriter: w}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// flipFirst flips the first byte written.
type flipFirst struct {
	http.ResponseWriter
	done bool
}

func (f *flipFirst) Write(b []byte) (int, error) {
	if !f.done && len(b) > 0 {
		f.done = true
		c := append([]byte(nil), b...)
		c[0] ^= 0xff
		return f.ResponseWriter.Write(c)
	}
	return f.ResponseWriter.Write(b)
}
