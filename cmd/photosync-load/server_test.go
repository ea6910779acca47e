package load

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/internal/testkit"
)

// buildPhotosync builds cmd/photosync into a temporary folder.
func buildPhotosync(t *testing.T) string {
	t.Helper()
	return testkit.Build(t, testkit.Binary{Package: "../photosync"})
}

// server is a `photosync serve` process.
type server struct {
	t     *testing.T
	cmd   *exec.Cmd
	url   string
	token string
	logs  string // the file its stderr goes to
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer starts bin serve with env and waits until it listens.
func startServer(t *testing.T, bin string, env ...string) *server {
	t.Helper()
	s := &server{t: t, logs: filepath.Join(t.TempDir(), "serve.log")}
	logFile, err := os.Create(s.logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "PHOTOSYNC_ADDR=127.0.0.1:0"}, env...)
	s.cmd.Stderr = logFile
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start; its log:\n%s", s.log())
	}
	return s
}

func (s *server) log() string {
	data, _ := os.ReadFile(s.logs)
	return string(data)
}

// call sends a JSON request with the session and decodes the answer.
func (s *server) call(method, path string, body any, out any) int {
	s.t.Helper()
	c := testkit.Client{T: s.t, URL: s.url, Token: s.token}
	return c.Call(method, path, body, out)
}

// memory reads a figure of the server's /proc/PID/status (VmHWM, the peak
// resident set, or VmRSS), in bytes.
func (s *server) memory(field string) int64 {
	s.t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatalf("read the server's status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				s.t.Fatalf("%s: %q", field, v)
			}
			return kb << 10
		}
	}
	s.t.Fatalf("no %s in the server's status", field)
	return 0
}
