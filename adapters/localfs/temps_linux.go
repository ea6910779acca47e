package localfs

import (
	"errors"
	"io/fs"
	"syscall"
	"time"
)

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
