package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/photosync/photosync/internal/testkit"
)

// transfers is the number of parallel transfers every tool is given.
const transfers = 4

// sample is one timed run of a tool.
type sample struct {
	wall       time.Duration
	rss        int64 // peak resident set size in bytes
	reqs       requests
	cpu        time.Duration // the tool's user and system time
	machineCPU time.Duration // every CPU's busy time while it ran (/proc/stat)
}

// machineBusy answers the time every CPU of the machine spent busy since
// boot (/proc/stat's first line: all but idle, iowait and steal, in USER_HZ,
// 100 a second on Linux), 0 without /proc.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || i == 3 || i == 4 || i == 7 { // idle, iowait, steal
			continue
		}
		if i >= 8 { // guest times are counted in user already
			break
		}
		busy += n
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

// timed runs cmd to completion and measures its wall time and peak RSS;
// the proxy's requests are counted from its start.
func timed(t testing.TB, c *counter, cmd *exec.Cmd) sample {
	t.Helper()
	var out bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	cmd.Stderr = &out
	c.take()
	busy0 := machineBusy()
	start := time.Now()
	err := cmd.Start()
	var hwm int64
	if err == nil {
		done := make(chan struct{})
		polled := make(chan int64)
		go func() { polled <- pollHWM(cmd.Process.Pid, done) }()
		err = cmd.Wait()
		close(done)
		hwm = <-polled
	}
	s := sample{wall: time.Since(start), reqs: c.take(), rss: hwm, machineCPU: machineBusy() - busy0}
	if cmd.ProcessState != nil {
		s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if *profileFlag != "" && cmd.Process != nil {
		// Beside the profiles: what the tool printed (with -psenv
		// PHOTOSYNC_LOG_LEVEL=debug, photosync's every request, timed).
		_ = os.WriteFile(filepath.Join(*profileFlag, fmt.Sprintf("out-%d.log", cmd.Process.Pid)), out.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, tail(out.String()))
	}
	if s.rss == 0 {
		// No /proc: getrusage, which on Linux also counts the bench's own
		// high-water mark at the fork, so it is only an upper bound.
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.rss = ru.Maxrss * 1024
		}
	}
	return s
}

// pollHWM reads the peak resident set size (VmHWM) of the process pid
// every few milliseconds until done is closed, and answers the last value
// read in bytes (0 without /proc). It is a high-water mark of the
// process's own memory since its exec, so a late read loses only a rise in
// its last milliseconds. getrusage's ru_maxrss cannot serve: Linux carries
// the parent's high-water mark at the fork over into the child's.
func pollHWM(pid int, done <-chan struct{}) int64 {
	var hwm int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					hwm = max(hwm, kb*1024)
				}
			}
		}
		select {
		case <-done:
			return hwm
		case <-tick.C:
		}
	}
}

// tail is the end of a command's output, for failure messages.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// env is a minimal environment for a tool, with its own HOME.
func env(t testing.TB, extra ...string) []string {
	return append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, extra...)
}

// photosync is the photosync binary with one data folder: one account
// whose sync folder is dest, upload only, the way a user sets up a backup.
type photosync struct {
	bin, data, library string
	account            int64
	env                []string // more NAME=value for its environment
}

// buildPhotosync builds cmd/photosync once for the whole run.
func buildPhotosync(t testing.TB) string {
	t.Helper()
	return testkit.Build(t, testkit.Binary{Package: "../photosync"})
}

// newPhotosync makes a fresh data folder with an account syncing library
// with dest on the server behind c (not timed, not counted): up only, the
// way a user sets up a backup, or down only (down) for a first download.
func newPhotosync(t testing.TB, bin, library string, c *counter, user, pass, dest string, down bool) *photosync {
	t.Helper()
	p := &photosync{bin: bin, data: t.TempDir(), library: library}
	out := p.run(t, pass+"\n", "account", "add", "--url", c.URL, "--user", user, "--password-stdin",
		"--sync", "--sync-folder", dest, "--sync-download="+strconv.FormatBool(down), "--sync-upload="+strconv.FormatBool(!down), "--json")
	var a struct{ ID int64 }
	if err := json.Unmarshal(out, &a); err != nil || a.ID == 0 {
		t.Fatalf("photosync account add: %v\n%s", err, out)
	}
	p.account = a.ID
	c.take()
	return p
}

// command is the exec.Cmd of one photosync command line.
func (p *photosync) command(t testing.TB, args ...string) *exec.Cmd {
	cmd := exec.Command(p.bin, args...)
	cmd.Env = env(t, "PHOTOSYNC_DATA="+p.data, "PHOTOSYNC_LIBRARY="+p.library, "PHOTOSYNC_LOG_LEVEL=warn")
	if *profileFlag != "" {
		cmd.Env = append(cmd.Env, "PHOTOSYNC_PROFILE_DIR="+*profileFlag)
	}
	if *psEnvFlag != "" {
		cmd.Env = append(cmd.Env, strings.Split(*psEnvFlag, ",")...)
	}
	cmd.Env = append(cmd.Env, p.env...)
	return cmd
}

// run runs a photosync command that is not measured and answers its output.
func (p *photosync) run(t testing.TB, stdin string, args ...string) []byte {
	t.Helper()
	cmd := p.command(t, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // its log (-psenv PHOTOSYNC_LOG_LEVEL=debug), not its answer
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("photosync %s: %v\n%s%s", strings.Join(args, " "), err, tail(string(out)), tail(stderr.String()))
	}
	return out
}

// sync times `photosync sync --account ID`: index, listing, transfers.
func (p *photosync) sync(t testing.TB, c *counter) sample {
	t.Helper()
	return timed(t, c, p.command(t, "sync", "--account", strconv.FormatInt(p.account, 10)))
}

// index times `photosync index --json` and answers how many files it read.
func (p *photosync) index(t testing.TB, c *counter) (sample, int) {
	t.Helper()
	cmd := p.command(t, "index", "--json")
	var out bytes.Buffer
	cmd.Stdout = &out
	s := timed(t, c, cmd)
	var res struct{ Read int }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("photosync index --json: %v\n%s", err, tail(out.String()))
	}
	return s, res.Read
}

// putClient times the ceiling: this test binary run again as a minimal
// client sending every file with a plain PUT, transfers at a time.
func putClient(t testing.TB, c *counter, src, user, pass, base, dest string) sample {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", src, base+strings.TrimPrefix(dest, "/"), user, pass)
	cmd.Env = env(t, putClientEnv+"=1")
	return timed(t, c, cmd)
}

// tree answers the folders (parents first, "." for src) and the files
// below src, slash-separated and relative to it.
func tree(src string) (dirs, files []string, err error) {
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			dirs = append(dirs, filepath.ToSlash(rel))
		} else {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return dirs, files, err
}

// putClientMain is the minimal client: MKCOL for each folder, then a PUT
// with its Content-Length for each file, over keep-alive connections.
func putClientMain(args []string) error {
	src, base, user, pass := args[0], strings.TrimSuffix(args[1], "/"), args[2], args[3]
	dirs, files, err := tree(src)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = transfers
	client := &http.Client{Transport: tr}
	if os.Getenv(putCookiesEnv) != "" {
		client.Jar, _ = cookiejar.New(nil) // as a browser keeps Nextcloud's session
	}
	do := func(method, rel string, body *os.File, size int64) error {
		req, err := http.NewRequestWithContext(context.Background(), method, base+"/"+rel, nil)
		if err != nil {
			return err
		}
		if body != nil {
			req.Body, req.ContentLength = body, size
		}
		req.SetBasicAuth(user, pass)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %s", method, rel, resp.Status)
		}
		return nil
	}
	for _, d := range dirs { // in walk order: parents first
		if err := do("MKCOL", strings.TrimPrefix(d, "."), nil, 0); err != nil {
			return err
		}
	}
	var g errgroup.Group
	g.SetLimit(transfers)
	for _, f := range files {
		g.Go(func() error {
			fh, err := os.Open(filepath.Join(src, f))
			if err != nil {
				return err
			}
			st, err := fh.Stat()
			if err != nil {
				fh.Close()
				return err
			}
			return do("PUT", f, fh, st.Size()) // the transport closes fh
		})
	}
	return g.Wait()
}

// getClient times the download ceiling: this test binary run again as a
// minimal client fetching every file of the data set in src from the
// server with a plain GET into dest, transfers at a time.
func getClient(t testing.TB, c *counter, src, user, pass, base, remote, dest string) sample {
	t.Helper()
	return getClientWith(t, c, src, user, pass, base, remote, dest, false)
}

// getClientWith is getClient, keeping the server's cookies when cookies is
// set.
func getClientWith(t testing.TB, c *counter, src, user, pass, base, remote, dest string, cookies bool) sample {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", src, base+strings.TrimPrefix(remote, "/"), user, pass, dest)
	cmd.Env = env(t, getClientEnv+"=1")
	if cookies {
		cmd.Env = append(cmd.Env, putCookiesEnv+"=1")
	}
	return timed(t, c, cmd)
}

// getClientMain is the minimal GET client: one GET per file, over
// keep-alive connections, copied into a new file (no hashing, no fsync:
// what any client must do at least).
func getClientMain(args []string) error {
	src, base, user, pass, dest := args[0], strings.TrimSuffix(args[1], "/"), args[2], args[3], args[4]
	_, files, err := tree(src)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = transfers
	client := &http.Client{Transport: tr}
	if os.Getenv(putCookiesEnv) != "" {
		client.Jar, _ = cookiejar.New(nil) // as a browser keeps Nextcloud's session
	}
	var g errgroup.Group
	g.SetLimit(transfers)
	for _, f := range files {
		g.Go(func() error {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/"+f, nil)
			if err != nil {
				return err
			}
			req.SetBasicAuth(user, pass)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %s", f, resp.Status)
			}
			target := filepath.Join(dest, filepath.FromSlash(f))
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.Create(target)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, resp.Body); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		})
	}
	return g.Wait()
}
