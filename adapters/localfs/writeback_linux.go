//go:build linux && !arm

package localfs

import "syscall"

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writing the dirty
// pages of the range, without waiting for them.
const syncFileRangeWrite = 0x2

// startWriteback starts writing n bytes from off of the file fd to disk.
// Its error is of no consequence: the fsync after reports what matters.
func startWriteback(fd uintptr, off, n int64) {
	_ = syscall.SyncFileRange(int(fd), off, n, syncFileRangeWrite)
}
