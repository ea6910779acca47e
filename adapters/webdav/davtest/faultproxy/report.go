package faultproxy

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// The reliability tests run short in `make test` and long in `make soak`,
// which sets these variables; the long run's figures go to the README.
const (
	// SoakEnv set to 1 scales the reliability tests up.
	SoakEnv = "PHOTOSYNC_SOAK"
	// ReportEnv names a file each reliability test appends a Markdown
	// table row to: | test | figure |.
	ReportEnv = "PHOTOSYNC_SOAK_REPORT"
)

// Soak reports whether the long versions of the reliability tests run.
func Soak() bool { return os.Getenv(SoakEnv) == "1" }

// Scale returns short in `make test` and soak in `make soak`.
func Scale(short, soak int) int {
	if Soak() {
		return soak
	}
	return short
}

var reportMu sync.Mutex

// Report appends the row "| name | figure |" to the file named by
// PHOTOSYNC_SOAK_REPORT, when it is set, and logs it either way. The row
// says which mode ran, so a short run's figures are not taken for a soak's.
func Report(t testing.TB, name, figure string) {
	t.Helper()
	mode := "short"
	if Soak() {
		mode = "soak"
	}
	row := fmt.Sprintf("| %s (%s) | %s |\n", cell(name), mode, cell(figure))
	t.Log(strings.TrimSpace(row))
	file := os.Getenv(ReportEnv)
	if file == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Errorf("faultproxy: report to %s: %v", file, err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(row); err != nil {
		t.Errorf("faultproxy: report to %s: %v", file, err)
	}
}

// cell keeps a value inside its Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
