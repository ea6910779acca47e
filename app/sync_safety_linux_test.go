//go:build linux

// The status change time is read where the system gives it (Linux); under
// wasip1 size and modification time decide alone.

package app_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// Scenario 6 (library side): an edit that keeps the size and puts the
// modification time back is still seen, by the status change time.
func TestEditKeepingSizeAndTimeIsSeen(t *testing.T) {
	orig := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 90})
	w := pairedWorld(t, map[string][]byte{"a/IMG_9.jpg": orig})
	edited := bytes.Clone(orig)
	// A byte inside a comment-free spot of the entropy-coded data keeps
	// the JPEG's structure: the middle of the file.
	edited[len(edited)/2] ^= 0x01
	p := filepath.Join(w.dir, "a", "IMG_9.jpg")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	run := w.sync(t)
	checkRun(t, run, 0, 1, 0)
	if got, _ := w.server.File("/Photos/a/IMG_9.jpg"); !bytes.Equal(got, edited) {
		t.Fatal("the server still holds the old content")
	}
}
