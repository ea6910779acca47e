package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A profile folder that does not exist yet is made (make bench's -profile
// names one).
func TestProfileMakesItsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "prof")
	stop, err := startProfile(func(k string) string {
		if k == profileEnv {
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	stop()
	for _, kind := range []string{"cpu", "heap"} {
		matches, _ := filepath.Glob(filepath.Join(dir, kind+"-*.prof"))
		if len(matches) != 1 {
			t.Fatalf("%s profile: %v in %s", kind, matches, dir)
		}
		if fi, err := os.Stat(matches[0]); err != nil || fi.Size() == 0 {
			t.Fatalf("%s profile empty or missing: %v", kind, err)
		}
	}
}
