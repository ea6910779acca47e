// Package load puts photosync's API under load from a second process: it
// builds the photosync binary, starts `photosync serve` on 127.0.0.1 over
// a generated library, and while a sync of a WebDAV account runs, this
// test process opens many connections on the photo list. It checks that
// no request fails and that the server's peak memory (VmHWM) stays under
// a bound, and reports the latencies (p50, p99) without asserting them.
//
// `go test` runs the short version (10,000 photos, 5 s);
// PHOTOSYNC_SOAK=1 runs the long one (100,000 photos, 30 s). When
// PHOTOSYNC_SOAK_REPORT names a file, each test appends a Markdown table
// row "| test | figure |" to it.
package load

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// scale is the size of a run.
type scale struct {
	name     string
	photos   int
	conns    int
	duration time.Duration
	// maxHWM bounds the server's peak resident memory, in bytes.
	maxHWM int64
}

// currentScale is the short run, or the soak run under PHOTOSYNC_SOAK=1.
func currentScale() scale {
	if os.Getenv("PHOTOSYNC_SOAK") == "1" {
		return scale{name: "soak", photos: 100_000, conns: 50, duration: 30 * time.Second, maxHWM: 768 << 20}
	}
	return scale{name: "short", photos: 10_000, conns: 50, duration: 5 * time.Second, maxHWM: 384 << 20}
}

// report appends "| test | figure |" to the file named by
// PHOTOSYNC_SOAK_REPORT, when it is set.
func report(t *testing.T, test, figure string) {
	t.Helper()
	name := os.Getenv("PHOTOSYNC_SOAK_REPORT")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("soak report: %v", err)
		return
	}
	defer f.Close()
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	if _, err := fmt.Fprintf(f, "| %s | %s |\n", cell(test), cell(figure)); err != nil {
		t.Errorf("soak report: %v", err)
	}
}
