package infra_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/photosync/photosync/"

// coreExtras are the only packages beyond the standard library that the
// core (domain, ports, app) may depend on: Unicode normalisation, which
// the standard library lacks and names need (a name is the same in NFC
// and NFD). Maintained by the Go team, pure Go, built for WebAssembly.
var coreExtras = map[string]bool{
	"golang.org/x/text/unicode/norm": true,
	"golang.org/x/text/transform":    true,
}

type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// TestDependencyRule enforces STYLE.md's rule:
//
//	cmd -> infra -> adapters/* -> app -> ports -> domain
func TestDependencyRule(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps=false", "-json", "../...")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, errb.String())
	}
	std := standardPackages(t)
	dec := json.NewDecoder(&out)
	seen := 0
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(p.ImportPath, module)
		layer := strings.SplitN(rel, "/", 2)[0]
		for _, imp := range p.Imports {
			if imp == "github.com/google/wire" && layer != "infra" {
				t.Errorf("%s imports Wire; only infra may", rel)
			}
			if msg := violation(layer, rel, imp, std); msg != "" {
				t.Errorf("%s imports %s: %s", rel, imp, msg)
			}
		}
		if layer == "domain" || layer == "ports" || layer == "app" {
			for _, dep := range p.Deps {
				if !std[dep] && !coreExtras[dep] && !strings.HasPrefix(dep, module) && !strings.HasPrefix(dep, "internal/") && !strings.HasPrefix(dep, "vendor/") {
					t.Errorf("%s depends on %s: the core uses the standard library only", rel, dep)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list found only %d packages", seen)
	}
}

// violation says why importing imp from package rel (in layer) breaks the
// rule, or "" when it does not.
func violation(layer, rel, imp string, std map[string]bool) string {
	inner := strings.HasPrefix(imp, module)
	target := strings.SplitN(strings.TrimPrefix(imp, module), "/", 2)[0]
	if imp == module+"internal/testkit" {
		return "only tests may import internal/testkit" // go list's Imports leave test files out
	}
	if imp == "net/http/httptest" && !testSupport(rel) {
		return "production code must not use net/http/httptest (test-support packages, named *test, may)"
	}
	switch layer {
	case "internal":
		// internal/testkit: helpers that every layer's tests share, so
		// the standard library only.
		if inner || !std[imp] {
			return "internal packages may import only the standard library"
		}
	case "domain":
		if inner && target != "domain" {
			return "domain may import only the standard library"
		}
		if !inner && !std[imp] && imp != "golang.org/x/text/unicode/norm" {
			return "domain may import only the standard library"
		}
	case "ports", "app":
		allowed := map[string]bool{"domain": true, "ports": true, "app": layer == "app"}
		if inner && !allowed[target] {
			return layer + " may import only " + map[string]string{"ports": "domain", "app": "domain and ports"}[layer]
		}
		if !inner && !std[imp] {
			return layer + " may import only the standard library and inner layers"
		}
		if rel == "ports/porttest" && imp == "os" {
			break // contract suites arrange and inspect files on disk, as tests do
		}
		switch imp {
		case "os", "os/exec", "database/sql", "net/http", "syscall":
			return layer + " must not touch the environment, processes, SQL or HTTP"
		}
	case "adapters":
		if inner && (target == "infra" || target == "cmd") {
			return "adapters must not import the composition root"
		}
		// Adapters are independent of each other, except for the shared
		// JSON view used by the HTTP API and the CLI, and the shared SQL
		// stores used by the SQLite and PostgreSQL adapters.
		own := strings.Join(strings.SplitN(rel, "/", 3)[:2], "/")
		sqlStores := (own == "adapters/sqlite" || own == "adapters/postgres") && imp == module+"adapters/sqlstore"
		if inner && target == "adapters" && !strings.HasPrefix(imp, module+"adapters/jsonview") &&
			!strings.HasPrefix(imp, module+own) && !sqlStores {
			return "an adapter must not import another adapter"
		}
	case "infra":
		if inner && target == "cmd" {
			return "infra must not import cmd"
		}
	}
	return ""
}

// testSupport reports whether package rel is test support, imported by
// tests and the bench only: a package whose name ends in "test" (davtest,
// porttest, mediatest, pgtest, ...).
func testSupport(rel string) bool {
	return strings.HasSuffix(rel[strings.LastIndex(rel, "/")+1:], "test")
}

func standardPackages(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	std := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		std[p] = true
	}
	return std
}

// TestViolationCatches makes sure the rule above can fail.
func TestViolationCatches(t *testing.T) {
	std := map[string]bool{"fmt": true, "os": true, "testing": true}
	bad := [][3]string{
		{"domain", "domain", "github.com/labstack/echo/v4"},
		{"domain", "domain", module + "ports"},
		{"ports", "ports", module + "app"},
		{"app", "app", module + "adapters/sqlite"},
		{"app", "app", "os"},
		{"app", "app", "modernc.org/sqlite"},
		{"adapters", "adapters/httpapi", module + "infra"},
		{"adapters", "adapters/httpapi", module + "adapters/sqlite"},
		{"adapters", "adapters/httpapi", module + "adapters/sqlstore"},
		{"adapters", "adapters/sqlite", module + "adapters/postgres"},
		{"adapters", "adapters/sqlstore", module + "adapters/sqlite"},
		{"infra", "infra", module + "cmd/photosync"},
		{"adapters", "adapters/httpapi", module + "internal/testkit"},
		{"cmd", "cmd/photosync", module + "internal/testkit"},
		{"internal", "internal/testkit", module + "domain"},
		{"internal", "internal/testkit", "github.com/labstack/echo/v4"},
		{"adapters", "adapters/awslambda", "net/http/httptest"},
		{"cmd", "cmd/photosync", "net/http/httptest"},
	}
	for _, b := range bad {
		if violation(b[0], b[1], b[2], std) == "" {
			t.Errorf("%s importing %s was allowed", b[1], b[2])
		}
	}
	good := [][3]string{
		{"domain", "domain", "fmt"},
		{"ports", "ports/porttest", "testing"},
		{"app", "app", module + "ports"},
		{"adapters", "adapters/cli", module + "adapters/jsonview"},
		{"adapters", "adapters/webdav/davtest", module + "adapters/webdav"},
		{"adapters", "adapters/sqlite", module + "adapters/sqlstore"},
		{"adapters", "adapters/postgres", module + "adapters/sqlstore"},
		{"infra", "infra", module + "adapters/sqlite"},
		{"internal", "internal/testkit", "testing"},
		{"adapters", "adapters/webdav/davtest", "net/http/httptest"},
	}
	for _, g := range good {
		if msg := violation(g[0], g[1], g[2], std); msg != "" {
			t.Errorf("%s importing %s was refused: %s", g[1], g[2], msg)
		}
	}
}

// TestSelfHostedBinaryLinksNoAWS keeps what only the Lambda function needs
// (the AWS SDK, aws-lambda-go) out of `photosync`: the Lambda composition
// lives in infra/lambdafn, which only cmd/photosync-lambda imports.
func TestSelfHostedBinaryLinksNoAWS(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	aws := func(pkgs []string) (found []string) {
		for _, p := range pkgs {
			if strings.HasPrefix(p, "github.com/aws/") || p == module+"infra/lambdafn" || p == module+"adapters/awslambda" || p == module+"adapters/sqs" {
				found = append(found, p)
			}
		}
		return found
	}
	if found := aws(deps("../cmd/photosync")); len(found) > 0 {
		t.Errorf("cmd/photosync links %d packages only the Lambda function needs, such as %v", len(found), found[:min(len(found), 5)])
	}
	// The check can fail: the Lambda function does link them.
	if found := aws(deps("../cmd/photosync-lambda")); len(found) == 0 {
		t.Error("cmd/photosync-lambda links no AWS package: the check above would pass whatever it is given")
	}
}
