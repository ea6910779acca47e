package localfs_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/internal/testkit"
)

// deadPID is the ID of a process that ran and is gone.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// TestRemoveTemps: what crashed writes left (hidden temporary files of a
// process that is gone) is removed, and nothing else.
func TestRemoveTemps(t *testing.T) {
	ctx := context.Background()
	lib, outside := t.TempDir(), t.TempDir()
	dead := deadPID(t)
	tmp := func(base string) string { return localfs.TempNameOf(base, dead, "", false) }
	temps := map[string]string{
		"nextcloud/" + tmp("IMG_1.jpg"):       "partial",
		"nextcloud/2024/" + tmp("IMG_2.dng"):  "partial",
		"nextcloud/2024/05/" + tmp("a b.mp4"): "partial",
		"other/" + tmp("IMG_3.jpg"):           "partial",
		"nextcloud/.hidden/" + tmp("x.jpg"):   "partial",
	}
	kept := map[string]string{
		"nextcloud/IMG_1.jpg":                                        "photo",
		"nextcloud/.IMG_1.jpg.photosync-0123.tmp":                    "too short to be ours",
		"nextcloud/.IMG_1.jpg.photosync-0123456789abcdeg.tmp":        "not hex",
		"nextcloud/IMG_1.jpg.photosync-0123456789abcdef.tmp":         "not hidden",
		"nextcloud/.photosync-0123456789abcdef.tmp":                  "no name",
		"nextcloud/a.tmp":                                            "someone else's",
		"nextcloud/.hidden.jpg":                                      "hidden",
		"nextcloud/2024/.IMG_2.dng.photosync-fedcba9876543210.tmp.x": "another suffix",
		"nextcloud/" + strings.TrimPrefix(tmp("IMG_9.jpg"), "."):     "not hidden",
	}
	writeFiles(t, lib, temps)
	writeFiles(t, lib, kept)
	writeFiles(t, outside, map[string]string{tmp(".secret.jpg"): "outside"})
	if err := os.Symlink(outside, filepath.Join(lib, "nextcloud", "out")); err != nil {
		t.Fatal(err)
	}
	w := localfs.NewWriter(lib)

	n, err := w.RemoveTemps(ctx, "other")
	if err != nil || n != 1 {
		t.Fatalf("RemoveTemps(other) = %d, %v; want 1", n, err)
	}
	n, err = w.RemoveTemps(ctx, "nextcloud")
	if err != nil || n != 4 {
		t.Fatalf("RemoveTemps(nextcloud) = %d, %v; want 4", n, err)
	}
	for name := range kept {
		if _, err := os.Stat(filepath.Join(lib, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	for name := range temps {
		if _, err := os.Lstat(filepath.Join(lib, filepath.FromSlash(name))); !os.IsNotExist(err) {
			t.Errorf("%s is still there after RemoveTemps (%v)", name, err)
		}
	}
	checkOnly(t, outside, tmp(".secret.jpg"))

	for _, dir := range []string{"", ".", "missing"} {
		if n, err := w.RemoveTemps(ctx, dir); err != nil || n != 0 {
			t.Errorf("RemoveTemps(%q) on a clean library = %d, %v; want 0", dir, n, err)
		}
	}
	if _, err := w.RemoveTemps(ctx, "../x"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("RemoveTemps(../x) = %v, want EINVALID", err)
	}
}

// TestRemoveTempsSparesLiveOwners: a temporary file whose owner still
// runs (this process, another photosync on this machine, one on another
// machine sharing the disk) is kept; an earlier process with this
// process's ID is gone, and so are owner-less names (photosync before
// owners, a sync's staging files). Files of owners that cannot be asked
// are removed once they are a day old.
func TestRemoveTempsSparesLiveOwners(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	names := map[string]string{
		"this":      localfs.TempNameOf("a.jpg", os.Getpid(), "", false),
		"parent":    localfs.TempNameOf("b.jpg", os.Getppid(), "", false), // the go command: running
		"elsewhere": localfs.TempNameOf("c.jpg", os.Getpid()+1, "", true),
		"earlier":   localfs.TempNameOf("d.jpg", os.Getpid(), "ffffffff", false),
		"ownerless": ".e.jpg.photosync-0123456789abcdef.tmp",
	}
	for _, n := range names {
		writeFiles(t, lib, map[string]string{n: "partial"})
	}
	w := localfs.NewWriter(lib)
	if n, err := w.RemoveTemps(ctx, "."); err != nil || n != 2 {
		t.Fatalf("RemoveTemps = %d, %v; want 2 (the earlier process's, the owner-less)", n, err)
	}
	checkSet(t, lib, []string{names["this"], names["parent"], names["elsewhere"]})

	localfs.SetWriterNow(w, func() time.Time { return time.Now().Add(25 * time.Hour) })
	if n, err := w.RemoveTemps(ctx, "."); err != nil || n != 2 {
		t.Fatalf("RemoveTemps a day later = %d, %v; want 2", n, err)
	}
	checkSet(t, lib, []string{names["this"]})
}

func checkSet(t *testing.T, dir string, want []string) {
	t.Helper()
	got := map[string]bool{}
	for _, n := range libraryFiles(t, dir) {
		got[n] = true
	}
	for _, n := range want {
		if !got[n] {
			t.Errorf("%s was removed", n)
		}
		delete(got, n)
	}
	for n := range got {
		t.Errorf("%s is still there", n)
	}
}

// TestRemoveTempsSparesWritesInProgress: a write of this Writer that is
// still receiving keeps its temporary file.
func TestRemoveTempsSparesWritesInProgress(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := w.WriteFile(ctx, "a/IMG_1.jpg", pr, 6, time.Time{}, domain.Checksum{}, false)
		done <- err
	}()
	if _, err := pw.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	// The temporary file exists once the first bytes were taken.
	waitForFiles(t, lib)
	if n, err := w.RemoveTemps(ctx, "."); err != nil || n != 0 {
		t.Fatalf("RemoveTemps during a write = %d, %v; want 0", n, err)
	}
	if _, err := pw.Write([]byte("def")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	checkContent(t, filepath.Join(lib, "a", "IMG_1.jpg"), []byte("abcdef"))
	checkOnly(t, lib, "a/IMG_1.jpg")
}

func waitForFiles(t *testing.T, lib string) {
	t.Helper()
	if !testkit.Poll(10*time.Second, 5*time.Millisecond, func() bool { return len(libraryFiles(t, lib)) > 0 }) {
		t.Fatal("no temporary file appeared")
	}
}

// TestTwoProcessesWriteIntoOneLibrary: another process's write in flight
// keeps its temporary file when this one starts a run (RemoveTemps), and
// completes. Before temporary files carried their owner, the run removed
// it and the other process's write failed.
func TestTwoProcessesWriteIntoOneLibrary(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCALFS_HELPER_LIBRARY="+lib, "LOCALFS_HELPER_PATH=nextcloud/IMG_1.jpg", "LOCALFS_HELPER_SIZE=6")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	waitForFiles(t, lib)
	tmp := libraryFiles(t, lib)
	if n, err := localfs.NewWriter(lib).RemoveTemps(ctx, "."); err != nil || n != 0 {
		t.Errorf("RemoveTemps while another process writes = %d, %v; want 0", n, err)
	}
	checkOnly(t, lib, tmp...)
	if _, err := stdin.Write([]byte("def")); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the other process's write failed: %v\n%s", err, out.String())
	}
	checkContent(t, filepath.Join(lib, "nextcloud", "IMG_1.jpg"), []byte("abcdef"))
	checkOnly(t, lib, "nextcloud/IMG_1.jpg")
}

// TestMain runs the test binary as the other process of
// TestTwoProcessesWriteIntoOneLibrary when asked to: one WriteFile from
// standard input.
func TestMain(m *testing.M) {
	if lib := os.Getenv("LOCALFS_HELPER_LIBRARY"); lib != "" {
		size, _ := strconv.ParseInt(os.Getenv("LOCALFS_HELPER_SIZE"), 10, 64)
		if _, err := localfs.NewWriter(lib).WriteFile(context.Background(), os.Getenv("LOCALFS_HELPER_PATH"), os.Stdin, size, time.Time{}, domain.Checksum{}, false); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
