// Command photosync-plan prints the sync plan for a JSON description of a
// remote listing, a library index, the remembered pairs and failures and an
// account's sync settings. It is the planner of photosync alone, with no
// server, database or file system behind it, so it runs in any WebAssembly
// host with WASI preview 1 (GOOS=wasip1 GOARCH=wasm) as well as natively,
// and gives the same plan in both.
//
// Usage:
//
//	photosync-plan < input.json > plan.json
//
// The input is one JSON document on standard input (see input.go for its
// fields); the plan is written as JSON on standard output. Input that cannot
// be read is reported on standard error and the exit status is 2.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/photosync/photosync/domain"
)

func main() {
	if err := run(os.Args, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "photosync-plan:", err)
		os.Exit(exitCode(err))
	}
}

// run reads one input document from stdin and writes its plan to stdout.
// It touches nothing else, so the native test calls it in-process and
// compares its output with the WebAssembly build's.
func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 1 {
		return usageError{fmt.Errorf("unexpected argument %q: the input is read from standard input (usage: photosync-plan < input.json)", args[1])}
	}
	in, err := decodeInput(stdin)
	if err != nil {
		return usageError{err}
	}
	plan := planOf(in)
	if err := encodePlan(stdout, plan); err != nil {
		return fmt.Errorf("write the plan: %w", err)
	}
	return nil
}

// usageError is an input or command line the program cannot use: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode is 2 for bad input and 1 for anything else, such as a closed
// standard output.
func exitCode(err error) int {
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// planJSON is the plan as printed: the actions in the planner's order.
type planJSON struct {
	Actions []actionJSON `json:"actions"`
}

// actionJSON is one action. Every field is always present; direction is
// "" for actions that move no bytes, local_path is "" for a download whose
// name the executor chooses (normalised names), size is the bytes moved.
type actionJSON struct {
	Op           string `json:"op"`
	Direction    string `json:"direction"`
	LocalPath    string `json:"local_path"`
	RemotePath   string `json:"remote_path"`
	ConflictPath string `json:"conflict_path"`
	Size         int64  `json:"size"`
	Reason       string `json:"reason"`
}

// planOf plans the sync and converts the plan for printing.
func planOf(in domain.SyncInput) planJSON {
	plan := domain.PlanSync(in)
	out := planJSON{Actions: make([]actionJSON, 0, len(plan.Actions))}
	for _, a := range plan.Actions {
		out.Actions = append(out.Actions, actionJSON{Op: string(a.Op), Direction: string(a.Direction),
			LocalPath: a.LocalPath, RemotePath: a.RemotePath, ConflictPath: a.ConflictPath,
			Size: a.Size, Reason: a.Reason})
	}
	return out
}

// encodePlan writes the plan as indented JSON, HTML characters unescaped
// so that a path such as "a&b.jpg" reads as it is.
func encodePlan(w io.Writer, p planJSON) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
