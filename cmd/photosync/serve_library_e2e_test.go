package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesAMissingLibrary: serve creates a missing library folder
// on its very first start only, and says so; at a later start a missing
// library (an unmounted disk) stops it with a clear message instead of
// showing an empty library. A library that is a file is refused too.
func TestServeRefusesAMissingLibrary(t *testing.T) {
	data := t.TempDir()
	lib := filepath.Join(t.TempDir(), "disk", "photos")
	env := map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e", "PHOTOSYNC_LIBRARY": lib}
	in := startServe(t, data, env)
	if !strings.Contains(in.stdout.String(), "Created the library folder "+lib+" (first start)") {
		t.Errorf("the first start did not say it created the library:\n%s", in.stdout.String())
	}
	if fi, err := os.Stat(lib); err != nil || !fi.IsDir() {
		t.Fatalf("the first start did not create the library folder: %v", err)
	}
	in.stop()

	// The disk is not mounted at the next start.
	if err := os.Remove(lib); err != nil {
		t.Fatal(err)
	}
	serve := func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		full := map[string]string{"PHOTOSYNC_ADDR": "127.0.0.1:0", "PHOTOSYNC_DATA": data}
		for k, v := range env {
			full[k] = v
		}
		out := &syncBuffer{}
		err := run(ctx, []string{"photosync", "serve"}, func(k string) string { return full[k] }, strings.NewReader(""), out, &syncBuffer{})
		return out.String(), err
	}
	out, err := serve()
	msg := describe(err)
	if err == nil || exitCode(err) != 1 || !strings.Contains(msg, "the library folder "+lib+" does not exist: is its disk mounted?") ||
		!strings.Contains(msg, "mkdir -p "+lib) || strings.Contains(msg, "internal error") {
		t.Fatalf("serve with its library gone: %v (exit %d, %q)", err, exitCode(err), msg)
	}
	if strings.Contains(out, "listening") {
		t.Errorf("serve started listening without its library:\n%s", out)
	}
	if _, err := os.Stat(lib); !os.IsNotExist(err) {
		t.Errorf("serve created the missing library on a later start (%v)", err)
	}

	// A file where the library should be.
	if err := os.WriteFile(lib, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := serve(); err == nil || !strings.Contains(describe(err), "is not a folder") {
		t.Fatalf("serve with a file as its library: %v", err)
	}

	// Created by hand, as the message says: serve starts.
	if err := os.Remove(lib); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	in = startServe(t, data, env)
	if strings.Contains(in.stdout.String(), "Created the library folder") {
		t.Errorf("a later start says it created the library:\n%s", in.stdout.String())
	}
	in.login("admin-e2e")
}
