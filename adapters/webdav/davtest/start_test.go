package davtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// fatalRecorder is a test whose Fatalf is recorded and ends only the
// goroutine calling it, so a test can check a Start function's failure.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs start with a recording test and answers its Fatalf message.
func fatalOf(t *testing.T, start func(testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(rec)
	}()
	<-done
	return rec.msg
}

func TestStartRcloneWithoutRclone(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	msg := fatalOf(t, func(tb testing.TB) { davtest.StartRclone(tb) })
	if !strings.Contains(msg, "rclone not found in PATH") || !strings.Contains(msg, "make test") {
		t.Fatalf("Fatalf message = %q, want it to say rclone is missing and how to install it", msg)
	}
}
