//go:build linux

package localfs

import (
	"io/fs"
	"syscall"
	"time"
)

// statExtra answers a file's status change time and inode, which a
// change that keeps size and modification time cannot hide.
func statExtra(fi fs.FileInfo) (time.Time, uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, 0
	}
	return time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)), uint64(st.Ino)
}
