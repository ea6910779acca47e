package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestCLIHelpAtEveryLevel: -h, --help and help print the usage on standard
// output and exit 0, for the program, every command and subcommand, and
// serve, whose flags belong to the composition root.
func TestCLIHelpAtEveryLevel(t *testing.T) {
	env := map[string]string{"PHOTOSYNC_DATA": t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string // a part of the usage
	}{
		{[]string{"--help"}, "photosync serve [flags]"},
		{[]string{"help"}, "photosync serve [flags]"},
		{[]string{"help", "upload"}, "photosync upload --account ID"},
		{[]string{"serve", "-h"}, "-index-interval"},
		{[]string{"serve", "--help"}, "$PHOTOSYNC_ADDR"},
		{[]string{"account", "--help"}, "photosync account edit ID"},
		{[]string{"account", "-h"}, "photosync account login URL"},
		{[]string{"account", "add", "--help"}, "--password-stdin"},
		{[]string{"account", "edit", "3", "-h"}, "--ask-password"},
		{[]string{"account", "login", "--help"}, "photosync account login URL"},
		{[]string{"account", "show", "--help"}, "photosync account show ID"},
		{[]string{"account", "list", "-h"}, "photosync account list"},
		{[]string{"index", "--help"}, "photosync index"},
		{[]string{"photos", "--help"}, "--kind"},
		{[]string{"upload", "--help"}, "--share-link"},
		{[]string{"sync", "--help"}, "--dry-run"},
		{[]string{"sync", "failed", "--help"}, "photosync sync failed --account ID"},
		{[]string{"sync", "restore", "-h"}, "photosync sync restore --account ID PATH"},
		{[]string{"jobs", "--help"}, "--limit"},
		{[]string{"jobs", "show", "--help"}, "photosync jobs show ID"},
		{[]string{"migrate-store", "--help"}, "--force"},
		{[]string{"version", "--help"}, "photosync version"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"photosync"}, tc.args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		if err != nil || !strings.Contains(out.String(), "Usage") || !strings.Contains(out.String(), tc.want) || errb.Len() != 0 {
			t.Errorf("photosync %s: %v (exit %d)\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), err, exitCode(err), out.String(), errb.String())
		}
	}
	// Still usage errors, exit 2: no subcommand, an unknown one, a bad flag.
	for _, args := range [][]string{{"account"}, {"account", "frobnicate"}, {"serve", "--bogus"}, {"sync", "--bogus"}} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
		if exitCode(err) != 2 || strings.Contains(describe(err), "internal error") {
			t.Errorf("photosync %s: %v, exit %d; want a usage error, exit 2", strings.Join(args, " "), err, exitCode(err))
		}
	}
}

// openPTY opens a pseudo-terminal: the program reads the slave, the test
// types on the master.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n int
	rc, _ := m.SyscallConn()
	var ierr error
	rc.Control(func(fd uintptr) {
		if ierr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ierr == nil {
			n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	})
	if ierr != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", ierr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pseudo-terminal's slave: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestCLIPasswordPrompt: on a terminal, account add asks for the password
// and reads it without echo; without a terminal and without
// --password-stdin or PHOTOSYNC_ACCOUNT_PASSWORD it is a usage error, never
// an empty password.
func TestCLIPasswordPrompt(t *testing.T) {
	srv := davtest.StartRclone(t)
	env := map[string]string{"PHOTOSYNC_DATA": t.TempDir(), "PHOTOSYNC_LIBRARY": t.TempDir()}
	getenv := func(k string) string { return env[k] }

	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"photosync", "account", "add", "--url", srv.URL, "--user", srv.Username}, getenv, strings.NewReader(""), &out, &errb)
	if exitCode(err) != 2 || !strings.Contains(describe(err), "--password-stdin") {
		t.Fatalf("account add without a password or a terminal: %v (exit %d); want a usage error naming --password-stdin", err, exitCode(err))
	}

	master, slave := openPTY(t)
	done := make(chan error, 1)
	var pout, perr syncBuffer
	go func() {
		done <- run(context.Background(), []string{"photosync", "account", "add", "--url", srv.URL, "--user", srv.Username, "--json"}, getenv, slave, &pout, &perr)
	}()
	// Type once the prompt is there and the terminal no longer echoes.
	prompted := testkit.Poll(20*time.Second, 10*time.Millisecond, func() bool { // polling the terminal's state
		tio, err := unix.IoctlGetTermios(int(slaveFd(t, slave)), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(perr.String(), "Password for "+srv.Username) && tio.Lflag&unix.ECHO == 0
	})
	if !prompted {
		t.Fatalf("no prompt with echo off; stderr %q", perr.String())
	}
	if _, err := master.Write([]byte(srv.Password + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("account add with the typed password: %v\n%s", err, perr.String())
	}
	var a struct {
		ID          int64
		HasPassword bool `json:"has_password"`
	}
	if err := json.Unmarshal([]byte(pout.String()), &a); err != nil || a.ID == 0 || !a.HasPassword {
		t.Fatalf("account add: %v %s", err, pout.String())
	}
	master.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	echoed := make([]byte, 4096)
	n, _ := master.Read(echoed)
	if strings.Contains(string(echoed[:n]), srv.Password) {
		t.Fatalf("the typed password was echoed: %q", echoed[:n])
	}
}

func slaveFd(t *testing.T, f *os.File) uintptr {
	t.Helper()
	var fd uintptr
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(x uintptr) { fd = x })
	return fd
}

// TestCLIFirstHour: the messages a new user meets on the way: a dry run of
// a sync folder that does not exist yet, a search with no match, and
// intervals as people write them.
func TestCLIFirstHour(t *testing.T) {
	srv := davtest.StartRclone(t)
	e := newUpEnv(t)
	if out, err := e.cli("", "photos"); err != nil || !strings.Contains(out, "Index the library") {
		t.Fatalf("photos on an empty library: %v %q", err, out)
	}
	e.write("2024/IMG_0001.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), Seed: 1}))
	e.index()
	out, err := e.cli("", "photos", "--q", "heic")
	if err != nil || !strings.Contains(out, "No photo matches") || strings.Contains(out, "Index the library") {
		t.Fatalf("photos --q heic with no match: %v %q", err, out)
	}

	id := e.addAccount(srv.URL, srv.Username, srv.Password)
	ids := strconv.FormatInt(id, 10)
	if _, err := e.cli("", "account", "edit", ids, "--sync", "--sync-folder", "/Sync", "--sync-interval", "24h"); err != nil {
		t.Fatal(err)
	}
	out, err = e.cli("", "account", "list")
	if err != nil || !strings.Contains(out, "every 24h ") || strings.Contains(out, "24h0m0s") {
		t.Fatalf("account list: %v\n%s", err, out)
	}
	if _, err := e.cli("", "account", "edit", ids, "--sync-interval", "1h30m"); err != nil {
		t.Fatal(err)
	}
	out, err = e.cli("", "account", "show", ids)
	if err != nil || !strings.Contains(out, "1h30m\n") || strings.Contains(out, "0s") {
		t.Fatalf("account show: %v\n%s", err, out)
	}

	out, err = e.cli("", "sync", "--account", ids, "--dry-run")
	if err != nil || !strings.Contains(out, "/Sync does not exist yet: the sync will create it") || !strings.Contains(out, "IMG_0001.JPG") || !strings.Contains(out, "1 to upload") {
		t.Fatalf("sync --dry-run of a folder that does not exist: %v\n%s", err, out)
	}
	out, err = e.cli("", "sync", "--account", ids, "--dry-run", "--json")
	var plan struct {
		Plan         []struct{ Op string }
		CreateFolder string `json:"create_folder"`
	}
	if err != nil || json.Unmarshal([]byte(out), &plan) != nil || plan.CreateFolder != "/Sync" || len(plan.Plan) != 1 || plan.Plan[0].Op != "upload" {
		t.Fatalf("sync --dry-run --json: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, "Sync")); !os.IsNotExist(err) {
		t.Fatalf("the dry run touched the server: %v", err)
	}
	e.mustSync(id, 0, 1)
	if _, err := os.Stat(filepath.Join(srv.Dir, "Sync", "2024", "IMG_0001.JPG")); err != nil {
		t.Fatalf("the sync did not create the folder the dry run announced: %v", err)
	}

	// A file the index knows is bad is no failure of an upload: exit 0,
	// every run, saying so; a failure of the run itself still exits 1.
	e.write("2024/empty.jpg", nil)
	e.index()
	for range 2 {
		out, err = e.cli("", "upload", "--account", ids, "--all", "--folder", "/Up")
		if err != nil || !strings.Contains(out, "Done, with 1 known problem file(s) not sent") || !strings.Contains(out, "2024/empty.jpg") {
			t.Fatalf("upload --all with a known problem file: %v (exit %d)\n%s", err, exitCode(err), out)
		}
	}
	// A file where the upload's folder should be: the run fails.
	srv.WriteFile(t, "NotAFolder", []byte("x"))
	if out, err = e.cli("", "upload", "--account", ids, "--all", "--folder", "/NotAFolder"); exitCode(err) != 1 {
		t.Fatalf("upload --all that cannot write its folder: %v (exit %d), want exit 1\n%s", err, exitCode(err), out)
	}
}
