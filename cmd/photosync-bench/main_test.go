// Package bench is photosync's benchmark harness, run by `make bench`:
// it generates a seeded photo library, starts Apache's mod_dav on
// 127.0.0.1 behind a counting reverse proxy, and times photosync, rclone
// and a minimal parallel-PUT client against it, printing a Markdown table
// (also written to bench/results/<date>.md). `go test ./...` runs it once
// on tiny data so that it cannot rot; it asserts no timings.
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

func TestMain(m *testing.M) {
	if os.Getenv(putClientEnv) != "" {
		if err := putClientMain(os.Args[len(os.Args)-4:]); err != nil {
			fmt.Fprintln(os.Stderr, "put client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
