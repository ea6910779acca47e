package localfs

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// machine names the set of processes that processRuns can ask: this
// machine's name, its current boot, and this process's PID namespace (a
// container has one of its own, where process IDs start again at 1).
func machine() string {
	name, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return name + "|" + strings.TrimSpace(string(boot)) + "|" + ns
}

// processRuns reports whether a process with the ID pid runs on this
// machine: a signal 0 reaches it, or it belongs to someone else.
func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// changed is when the file's inode last changed: unlike its modification
// time, which a write sets to the remote file's, no one can set it back.
func changed(fi fs.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return fi.ModTime()
}
