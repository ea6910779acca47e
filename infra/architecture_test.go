package infra_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
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

// serviceOwners counts unexported helper types of app as part of the
// service that owns them: their methods may use that service's unexported
// fields and methods. None needs it today: the sync's executor, ledger
// and lease, and an upload's run, are given the parts they use.
var serviceOwners = map[string]string{}

// pendingReaches are reaches across services that app still has and
// that are allowed for now. The test fails when one of them is gone too,
// so that the list only shrinks: remove it then. Empty: issue 15 removed
// the last (the fan-out and the scheduler reaching into each other).
var pendingReaches = map[string]bool{}

// TestAppServicesKeepApart enforces issue 15's rule on package app: a
// service (an exported struct type of app with a constructor New*) embeds
// no other service, and the code of one type reaches another service only
// through its exported fields and methods.
func TestAppServicesKeepApart(t *testing.T) {
	fset := token.NewFileSet()
	bp, err := build.ImportDir("../app", 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	problems, services, err := serviceViolations(fset, bp.ImportPath, files, serviceOwners)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) < 10 {
		t.Fatalf("found only %d services in app (%v): the check would pass whatever it is given", len(services), services)
	}
	seen := map[string]bool{}
	for _, p := range problems {
		_, what, _ := strings.Cut(p, ": ")
		if pendingReaches[what] {
			seen[what] = true
			continue
		}
		t.Error(p)
	}
	for what := range pendingReaches {
		if !seen[what] {
			t.Errorf("app no longer has %q: remove it from pendingReaches", what)
		}
	}
}

// TestServiceViolationsCatch makes sure the check above can fail.
func TestServiceViolationsCatch(t *testing.T) {
	const src = `package app
type Store struct{ rows int }
func NewStore() *Store { return &Store{} }
func (s *Store) flush() {}
func (s *Store) Flush() { s.flush() }

type Runner struct {
	*Store
	store *Store
}
func NewRunner(s *Store) Runner { return Runner{store: s} }
func (r *Runner) Run() {
	r.store.Flush()
	r.store.flush()
	_ = r.store.rows
	r.flush()
}

type helper struct{ r *Runner }
func (h helper) do() { _ = h.r.store; h.r.Store.Flush() }

type stranger struct{ s *Store }
func (x stranger) do() { _ = x.s.rows }
func (x stranger) make() *Store { return &Store{rows: 1} }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "app.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	problems, services, err := serviceViolations(fset, "example.com/app", []*ast.File{f}, map[string]string{"helper": "Runner"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(services, []string{"Runner", "Store"}) {
		t.Errorf("services %v, want [Runner Store]", services)
	}
	want := []string{
		"app.go:8:2: Runner embeds the service Store",
		"app.go:14:10: Runner uses flush, unexported, of the service Store",
		"app.go:15:14: Runner uses rows, unexported, of the service Store",
		"app.go:16:4: Runner uses flush, unexported, of the service Store",
		"app.go:23:34: stranger uses rows, unexported, of the service Store",
		"app.go:24:49: stranger sets rows, unexported, of the service Store",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
}

// serviceViolations type-checks a package and answers where a type embeds
// a service or uses an unexported field or method of a service other than
// itself (or, for the helper types in owners, other than its owner), with
// the services it found, sorted.
func serviceViolations(fset *token.FileSet, path string, files []*ast.File, owners map[string]string) ([]string, []string, error) {
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check(path, fset, files, info)
	if err != nil {
		return nil, nil, err
	}
	named := func(t types.Type) *types.Named {
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() == pkg {
			return n
		}
		return nil
	}
	// A service: an exported struct type with a constructor New*.
	service := map[string]bool{}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		fn, ok := scope.Lookup(name).(*types.Func)
		if !ok || !strings.HasPrefix(name, "New") {
			continue
		}
		res := fn.Type().(*types.Signature).Results()
		if res.Len() == 0 {
			continue
		}
		if n := named(res.At(0).Type()); n != nil && n.Obj().Exported() {
			if _, ok := n.Underlying().(*types.Struct); ok {
				service[n.Obj().Name()] = true
			}
		}
	}
	var problems []string
	report := func(pos token.Pos, format string, args ...any) {
		problems = append(problems, fset.Position(pos).String()+": "+fmt.Sprintf(format, args...))
	}
	ownerOf := func(typeName string) string {
		if o, ok := owners[typeName]; ok {
			return o
		}
		return typeName
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, field := range st.Fields.List {
						if len(field.Names) > 0 {
							continue
						}
						if n := named(info.TypeOf(field.Type)); n != nil && service[n.Obj().Name()] {
							report(field.Pos(), "%s embeds the service %s", ts.Name.Name, n.Obj().Name())
						}
					}
				}
			case *ast.FuncDecl:
				// The code's owner: its receiver's type, or for a function
				// the type its constructor makes (none for others).
				owner := ""
				if d.Recv != nil {
					if n := named(info.TypeOf(d.Recv.List[0].Type)); n != nil {
						owner = n.Obj().Name()
					}
				} else if strings.HasPrefix(d.Name.Name, "New") && service[strings.TrimPrefix(d.Name.Name, "New")] {
					owner = strings.TrimPrefix(d.Name.Name, "New")
				}
				if d.Body == nil {
					continue
				}
				who := owner
				if who == "" {
					who = "func " + d.Name.Name
				}
				ast.Inspect(d.Body, func(node ast.Node) bool {
					if lit, ok := node.(*ast.CompositeLit); ok {
						// A literal of another service setting its unexported fields.
						n := named(info.TypeOf(lit))
						if n == nil || !service[n.Obj().Name()] || ownerOf(owner) == n.Obj().Name() {
							return true
						}
						for _, elt := range lit.Elts {
							if kv, ok := elt.(*ast.KeyValueExpr); ok {
								if key, ok := kv.Key.(*ast.Ident); ok && !ast.IsExported(key.Name) {
									report(key.Pos(), "%s sets %s, unexported, of the service %s", who, key.Name, n.Obj().Name())
								}
							}
						}
						return true
					}
					se, ok := node.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					sel, ok := info.Selections[se]
					if !ok || sel.Obj().Exported() {
						return true
					}
					// The type declaring the field or method.
					var decl *types.Named
					if fn, ok := sel.Obj().(*types.Func); ok {
						decl = named(fn.Type().(*types.Signature).Recv().Type())
					} else {
						t := sel.Recv()
						for _, i := range sel.Index()[:len(sel.Index())-1] {
							t = named(t).Underlying().(*types.Struct).Field(i).Type()
						}
						decl = named(t)
					}
					if decl == nil || !service[decl.Obj().Name()] || ownerOf(owner) == decl.Obj().Name() {
						return true
					}
					report(se.Sel.Pos(), "%s uses %s, unexported, of the service %s", who, sel.Obj().Name(), decl.Obj().Name())
					return true
				})
			}
		}
	}
	var names []string
	for name := range service {
		names = append(names, name)
	}
	slices.Sort(names)
	return problems, names, nil
}
