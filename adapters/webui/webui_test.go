package webui_test

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webui"
)

// readAll returns every file of the app by path.
func readAll(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(webui.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(webui.Assets(), p)
		files[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	importRe    = regexp.MustCompile(`(?m)^\s*import\s[^'"]*['"]([^'"]+)['"]|^\s*export\s[^'"]*\sfrom\s['"]([^'"]+)['"]`)
	assetRefRe  = regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`)
	externalRe  = regexp.MustCompile(`https?://[^\s'"<>)]+`)
	inlineStyle = regexp.MustCompile(`\bstyle\s*=|['"]?\bstyle['"]?\s*:\s*['"]|setAttribute\(\s*['"]style['"]`)
)

// TestModulesResolve: every module imports files that are there, and every
// module is reached from app.js (no dead file ships).
func TestModulesResolve(t *testing.T) {
	files := readAll(t)
	index, ok := files["index.html"]
	if !ok {
		t.Fatal("no index.html")
	}
	for _, m := range assetRefRe.FindAllStringSubmatch(index, -1) {
		if _, ok := files[strings.TrimPrefix(m[1], "/")]; !ok {
			t.Errorf("index.html refers to %s, which is not there", m[1])
		}
	}
	reached := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if reached[p] {
			return
		}
		reached[p] = true
		src, ok := files[p]
		if !ok {
			t.Errorf("%s is imported but not there", p)
			return
		}
		for _, m := range importRe.FindAllStringSubmatch(src, -1) {
			spec := m[1] + m[2]
			if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
				t.Errorf("%s imports %q: only relative imports of the app's own modules", p, spec)
				continue
			}
			visit(path.Join(path.Dir(p), spec))
		}
	}
	visit("assets/js/app.js")
	for p := range files {
		if strings.HasSuffix(p, ".js") && !reached[p] {
			t.Errorf("%s is not imported by any module", p)
		}
	}
	if len(reached) < 10 {
		t.Errorf("only %d modules reached from app.js", len(reached))
	}
}

// TestPolicyFriendly: nothing the Content-Security-Policy would block or
// that reaches beyond photosync: no inline script or style, no external
// URL, no HTML from strings outside the icons' constant markup.
func TestPolicyFriendly(t *testing.T) {
	total := 0
	for p, src := range readAll(t) {
		total += len(src)
		for _, u := range externalRe.FindAllString(src, -1) {
			if u != "http://www.w3.org/2000/svg" {
				t.Errorf("%s refers to %s: the app loads nothing from elsewhere", p, u)
			}
		}
		if strings.HasSuffix(p, ".html") {
			if regexp.MustCompile(`<script(?:\s+type="module")?>`).MatchString(src) || strings.Contains(src, "<style") || regexp.MustCompile(`\son[a-z]+=`).MatchString(src) {
				t.Errorf("%s has inline script, style or event handlers", p)
			}
		}
		if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".html") {
			if loc := inlineStyle.FindStringIndex(src); loc != nil {
				t.Errorf("%s sets an inline style attribute (%q), which the policy blocks", p, src[loc[0]:loc[1]])
			}
		}
		if strings.HasSuffix(p, ".js") && p != "assets/js/icons.js" && (strings.Contains(src, "innerHTML") || strings.Contains(src, "insertAdjacentHTML")) {
			t.Errorf("%s writes HTML from a string; build elements with h()", p)
		}
	}
	// The budget grew from 150 kB with the Backup, Versions,
	// Notifications and watcher views and the photo details (2026-12-07):
	// no framework, no build step, every byte hand-written and served as is.
	if total > 180_000 {
		t.Errorf("the app is %d bytes; keep it small", total)
	}
}

// TestSeedTexts: the visible texts the seed's steps name are the app's.
func TestSeedTexts(t *testing.T) {
	files := readAll(t)
	var js []string
	for p, src := range files {
		if strings.HasSuffix(p, ".js") {
			js = append(js, src)
		}
	}
	all := strings.Join(js, "\n")
	for _, text := range []string{"Settings", "Backup", "Add server", "Server URL", "Username", "Password", "Connect", "Photos", "Upload", "Sync now",
		"Download remote files", "Upload local files", "Keep file names", "Sync RAW files", "Sync videos"} {
		if !slices.ContainsFunc([]string{"'" + text + "'", "`" + text + "`", `"` + text + `"`}, func(q string) bool { return strings.Contains(all, q) }) {
			t.Errorf("no module shows the text %q", text)
		}
	}
}
