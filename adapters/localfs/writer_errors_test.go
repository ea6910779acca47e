package localfs_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// TestWriteErrorsNameTheirCause: a full disk, a read-only file system and
// a name too long reach the caller as errors a person can act on, not as
// "internal error", and leave nothing behind. A full disk and a read-only
// one are injected (they are hard to make in a test); the long name is
// real.
func TestWriteErrorsNameTheirCause(t *testing.T) {
	ctx := context.Background()
	data := []byte("some photo bytes")
	for _, c := range []struct {
		op   string
		err  syscall.Errno
		code string
		msg  string
	}{
		{"write", syscall.ENOSPC, domain.EUNAVAILABLE, "no space left on the library disk at "},
		{"create", syscall.EROFS, domain.EUNAVAILABLE, "read-only file system at "},
		{"rename", syscall.ENOSPC, domain.EUNAVAILABLE, "no space left on the library disk at "},
		{"write", syscall.EDQUOT, domain.EUNAVAILABLE, "the disk quota is used up on the library disk at "},
	} {
		lib := t.TempDir()
		w := localfs.NewWriter(lib)
		localfs.SetWriterFault(w, func(op string) error {
			if op == c.op {
				return &os.PathError{Op: op, Path: "x", Err: c.err}
			}
			return nil
		})
		_, err := w.WriteFile(ctx, "a/IMG_1.jpg", bytes.NewReader(data), int64(len(data)), time.Time{}, domain.Checksum{}, false)
		if domain.ErrorCode(err) != c.code || domain.ErrorMessage(err) != c.msg+lib {
			t.Errorf("%v at %s: %s %q, want %s %q", c.err, c.op, domain.ErrorCode(err), domain.ErrorMessage(err), c.code, c.msg+lib)
		}
		checkOnly(t, lib)
	}

	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	long := "a/" + strings.Repeat("x", 300) + ".jpg"
	_, err := w.WriteFile(ctx, long, bytes.NewReader(data), int64(len(data)), time.Time{}, domain.Checksum{}, false)
	if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorMessage(err) != "file name too long: "+long {
		t.Errorf("a 304-byte name: %s %q, want EINVALID file name too long", domain.ErrorCode(err), domain.ErrorMessage(err))
	}
	checkOnly(t, lib)
	if _, err := w.WriteFile(ctx, "a/IMG_2.jpg", bytes.NewReader(data), int64(len(data)), time.Time{}, domain.Checksum{}, false); err != nil {
		t.Fatal(err)
	}
	if err := w.Rename(ctx, "a/IMG_2.jpg", long); domain.ErrorCode(err) != domain.EINVALID || !strings.HasPrefix(domain.ErrorMessage(err), "file name too long: ") {
		t.Errorf("Rename to a 304-byte name: %s %q", domain.ErrorCode(err), domain.ErrorMessage(err))
	}
}
