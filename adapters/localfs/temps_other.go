//go:build !linux

package localfs

import (
	"io/fs"
	"os"
	"time"
)

// machine is this machine's name.
func machine() string {
	name, _ := os.Hostname()
	return name
}

// processRuns cannot ask other systems: every process is taken for
// running, and its temporary files go once they are stale.
func processRuns(pid int) bool { return true }

// changed is the file's modification time.
func changed(fi fs.FileInfo) time.Time { return fi.ModTime() }
