package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Binary says what Build builds.
type Binary struct {
	// Package is the package to build, as `go build` takes it from the
	// test's folder: "." for the test's own command, "../photosync".
	Package string
	// Name is the file name of the binary; "" is the package folder's.
	Name string
	// Tags are build tags ("lambda.norpc"); "" for none.
	Tags string
	// GOOS and GOARCH cross-compile ("wasip1", "wasm"); "" is the host's.
	GOOS, GOARCH string
}

// Build builds b with `go build` into a temporary folder of t and returns
// the binary's path. A failed build fails the test with the compiler's
// output.
func Build(t testing.TB, b Binary) string {
	t.Helper()
	name := b.Name
	if name == "" {
		abs, err := filepath.Abs(b.Package)
		if err != nil {
			t.Fatal(err)
		}
		name = filepath.Base(abs)
	}
	bin := filepath.Join(t.TempDir(), name)
	args := []string{"build"}
	if b.Tags != "" {
		args = append(args, "-tags", b.Tags)
	}
	args = append(args, "-o", bin, b.Package)
	cmd := exec.Command("go", args...)
	if b.GOOS != "" || b.GOARCH != "" {
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOOS=") && !strings.HasPrefix(kv, "GOARCH=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		if b.GOOS != "" {
			cmd.Env = append(cmd.Env, "GOOS="+b.GOOS)
		}
		if b.GOARCH != "" {
			cmd.Env = append(cmd.Env, "GOARCH="+b.GOARCH)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		desc := "go " + strings.Join(args, " ")
		if b.GOOS != "" || b.GOARCH != "" {
			desc = "GOOS=" + b.GOOS + " GOARCH=" + b.GOARCH + " " + desc
		}
		t.Fatalf("%s: %v\n%s", desc, err, out)
	}
	return bin
}
