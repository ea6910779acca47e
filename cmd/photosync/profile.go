package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profileEnv names a folder to write CPU and heap profiles of the command
// to (cpu-<pid>.prof, heap-<pid>.prof, for `go tool pprof`) and its
// execution trace (trace-<pid>.out, for `go tool trace`: where it waits):
// how make bench's figures are explained. Unset, nothing is profiled.
const profileEnv = "PHOTOSYNC_PROFILE_DIR"

// startProfile starts the CPU profile when profileEnv is set and answers
// the function that ends it and writes the heap profile.
func startProfile(getenv func(string) string) (stop func(), err error) {
	dir := getenv(profileEnv)
	if dir == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.prof", kind, os.Getpid())) }
	cpu, err := os.Create(name("cpu"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	tr, err := os.Create(name("trace"))
	if err == nil && trace.Start(tr) != nil {
		tr.Close()
		tr = nil
	}
	return func() {
		pprof.StopCPUProfile()
		cpu.Close()
		if tr != nil {
			trace.Stop()
			tr.Close()
		}
		if heap, err := os.Create(name("heap")); err == nil {
			runtime.GC()
			_ = pprof.WriteHeapProfile(heap)
			heap.Close()
		}
	}, nil
}
