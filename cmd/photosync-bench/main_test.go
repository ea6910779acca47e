// Package bench is photosync's benchmark harness, run by `make bench`:
// it generates seeded photo libraries, starts Apache's mod_dav, `rclone
// serve webdav` and the Nextcloud test server on 127.0.0.1, each behind a
// counting reverse proxy, and times the photosync binary (as a child
// process, for its peak RSS), rclone v1.76 (defaults and tuned) and a
// minimal parallel-PUT client (the ceiling) through the scenarios of issue
// 8: first backup, first download, one new file, no-change syncs at
// growing sizes, a large file up and down, and the index. It prints a
// Markdown table, also written to bench/results/<date>.md. `go test ./...`
// runs it once on tiny data (-size tiny, the default) so that it cannot
// rot; it asserts that every run did its work, never how fast.
package bench

import (
	"fmt"
	"os"
	"testing"
)

// putClientEnv, when set, makes the test binary act as the minimal PUT
// client instead of running tests, so that the ceiling is measured in a
// process of its own like the other tools (its wall time and peak RSS).
const putClientEnv = "PHOTOSYNC_BENCH_PUT_CLIENT"

// getClientEnv, likewise, makes it the minimal GET client: the download
// ceiling.
const getClientEnv = "PHOTOSYNC_BENCH_GET_CLIENT"

func TestMain(m *testing.M) {
	if os.Getenv(getClientEnv) != "" {
		if err := getClientMain(os.Args[len(os.Args)-5:]); err != nil {
			fmt.Fprintln(os.Stderr, "get client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if mode := os.Getenv(bulkClientEnv); mode != "" {
		if err := bulkClientMain(mode, os.Args[len(os.Args)-5:]); err != nil {
			fmt.Fprintln(os.Stderr, "bulk client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(putClientEnv) != "" {
		if err := putClientMain(os.Args[len(os.Args)-4:]); err != nil {
			fmt.Fprintln(os.Stderr, "put client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
