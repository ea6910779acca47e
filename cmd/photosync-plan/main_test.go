//go:build !wasip1 && !js

// The tests build the program for WebAssembly and run it with wazero, so
// they run on the machine that builds, not under wasip1 themselves. They are
// in package main to call run, the code path the native binary takes.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite testdata/*.plan.json from the native plans")

// fixtures returns the names of the input fixtures, without ".json".
func fixtures(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".plan.json") {
			names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
		}
	}
	if len(names) < 6 {
		t.Fatalf("found %d fixtures in testdata, want at least 6", len(names))
	}
	return names
}

// nativePlan runs the program's code path in-process on a fixture.
func nativePlan(t *testing.T, name string) []byte {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"photosync-plan"}, bytes.NewReader(in), &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out.Bytes()
}

// hostEnv is the environment without GOOS and GOARCH, so that `go tool`
// builds and runs wazero for this machine even when the caller set them.
func hostEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOOS=") && !strings.HasPrefix(kv, "GOARCH=") {
			env = append(env, kv)
		}
	}
	return env
}

// buildWASM builds the program for wasip1 into a temporary folder.
func buildWASM(t *testing.T) string {
	t.Helper()
	return testkit.Build(t, testkit.Binary{Package: ".", Name: "photosync-plan.wasm", GOOS: "wasip1", GOARCH: "wasm"})
}

// wazero runs the WebAssembly build with stdin and returns what it wrote
// and how it exited.
type wazero struct {
	bin, cache string
}

func (w wazero) run(t *testing.T, stdin []byte) (stdout, stderr []byte, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "tool", "wazero", "run", "-cachedir", w.cache, w.bin)
	cmd.Env = hostEnv()
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("go tool wazero run: %v\n%s", err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes(), code
}

// TestPlanGolden pins each fixture's plan, so that a change of the
// planner's behaviour shows up here as a diff to review (go test -update
// rewrites the golden files).
func TestPlanGolden(t *testing.T) {
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			got := nativePlan(t, name)
			golden := filepath.Join("testdata", name+".plan.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the plan for %s changed; got:\n%s\nwant (%s):\n%s", name, got, golden, want)
			}
		})
	}
}

// TestWASMPlanMatchesNative runs the wasip1 build under wazero on every
// fixture and wants the native plan, byte for byte.
func TestWASMPlanMatchesNative(t *testing.T) {
	w := wazero{bin: buildWASM(t), cache: t.TempDir()}
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, stderr, code := w.run(t, in)
			if code != 0 {
				t.Fatalf("exit status %d under wazero:\n%s", code, stderr)
			}
			if want := nativePlan(t, name); !bytes.Equal(got, want) {
				t.Errorf("wasip1 plan differs from the native plan\nwasip1:\n%s\nnative:\n%s", got, want)
			}
			if !bytes.HasPrefix(got, []byte(`{`)) || !bytes.Contains(got, []byte(`"actions"`)) {
				t.Errorf("output is not a plan: %s", got)
			}
		})
	}
	t.Run("bad input exits 2", func(t *testing.T) {
		out, stderr, code := w.run(t, []byte(`{"now": "2026-05-01T12:00:00Z"}`))
		if code != 2 || len(out) != 0 || !strings.Contains(string(stderr), `no "settings"`) {
			t.Errorf("got exit %d, stdout %q, stderr %q; want 2, nothing, the missing settings", code, out, stderr)
		}
	})
}

// TestSecondRunPlansNothing pins the one fixture whose plan must stay
// empty whatever -update writes: a two-way sync right after a complete run.
func TestSecondRunPlansNothing(t *testing.T) {
	got := nativePlan(t, "two_way_second_run")
	if want := "{\n  \"actions\": []\n}\n"; string(got) != want {
		t.Errorf("a second two-way run plans something:\n%s", got)
	}
}
