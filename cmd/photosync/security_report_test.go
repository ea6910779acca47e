package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// secReport appends the row "| test | figure |" to the Markdown file
// named by PHOTOSYNC_SOAK_REPORT, when it is set, so `make soak` can
// collect the figures of the security tests for the README.
func secReport(t *testing.T, test, figure string) {
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
