package localfs

import (
	"os"
	"syscall"
)

// writebackStep is how many bytes a write lets pile up in the page cache
// before it asks the kernel to start writing them to disk. Without it a
// large file (a video) is written to disk only by the fsync at its end,
// which then waits for all of it; with it the disk writes while the
// download goes on, and the fsync waits for the last step only.
const writebackStep = 8 << 20

// writeback is a temporary file being written that starts the writeback
// of every writebackStep bytes written to it (see startWriteback). It
// only hints: the fsync before the rename is what makes the file durable.
type writeback struct {
	f       *os.File
	rc      syscall.RawConn // nil when the file has none
	written int64
	started int64 // bytes whose writeback was started
}

func newWriteback(f *os.File) *writeback {
	wb := &writeback{f: f}
	if rc, err := f.SyscallConn(); err == nil {
		wb.rc = rc
	}
	return wb
}

func (wb *writeback) Write(p []byte) (int, error) {
	n, err := wb.f.Write(p)
	wb.written += int64(n)
	if wb.rc != nil && wb.written-wb.started >= writebackStep {
		off, n := wb.started, wb.written-wb.started
		wb.rc.Control(func(fd uintptr) { startWriteback(fd, off, n) })
		wb.started = wb.written
	}
	return n, err
}
