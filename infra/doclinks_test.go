package infra_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pendingDocs are pages README.md links that other branches are writing;
// the lead empties this list once they are merged.
var pendingDocs = map[string]bool{}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
	mdFence   = regexp.MustCompile("(?ms)^```.*?^```")
)

// slug is GitHub's anchor for a heading: lower case, punctuation dropped,
// spaces as hyphens.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range mdHeading.FindAllStringSubmatch(mdFence.ReplaceAllString(string(data), ""), -1) {
		out[slug(strings.Trim(m[1], "`"))] = true
	}
	return out
}

// TestDocLinks: every relative link of README.md and docs/*.md points at a
// file of the repository (and an anchor at a heading of its page), except
// the pages other branches are still writing (pendingDocs).
func TestDocLinks(t *testing.T) {
	root := ".."
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(root, "README.md"))
	if len(pages) < 10 {
		t.Fatalf("only %d pages found: %v", len(pages), pages)
	}
	checked := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := mdFence.ReplaceAllString(string(data), "")
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			checked++
			if pendingDocs[rel] {
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links %s: %s does not exist", page, target, rel)
				continue
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !anchors(t, path)[anchor] {
				t.Errorf("%s links %s: %s has no heading #%s", page, target, rel, anchor)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d links checked", checked)
	}
	for p := range pendingDocs {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s exists now: take it out of pendingDocs", p)
		}
	}
}
