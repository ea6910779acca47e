package davtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Deadlines for child-process servers. They are generous because a loaded
// CI machine may take seconds to start a process; a healthy start takes
// milliseconds, and polling ends as soon as the server answers.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	pollInterval = 20 * time.Millisecond
	portAttempts = 5
)

// process is a server running as a child process of the test.
type process struct {
	name   string
	cmd    *exec.Cmd
	output *syncBuffer   // the child's stdout and stderr
	done   chan struct{} // closed when the child has been reaped
	err    error         // what Wait answered; read it after done is closed
	once   sync.Once     // stops the child only once
}

// startProcess starts path with args, collecting its output. The child runs
// in its own process group (so stopping it also stops its workers) and, on
// Linux, dies with the test binary.
func startProcess(name, path string, args []string, env []string) (*process, error) {
	p := &process{name: name, output: new(syncBuffer), done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env = env
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	p.cmd.SysProcAttr = sysProcAttr()
	p.cmd.WaitDelay = stopTimeout
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the child has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the child to end, kills its process group when it does not end
// within stopTimeout, and waits until it has been reaped. It is safe to call
// more than once.
func (p *process) stop() {
	p.once.Do(func() {
		if p.exited() {
			killGroup(p.cmd.Process) // workers a crashed parent left behind
			return
		}
		terminate(p.cmd.Process)
		timer := time.NewTimer(stopTimeout)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
		}
		// The parent may be gone while workers of its group linger; kill
		// the whole group either way.
		killGroup(p.cmd.Process)
		<-p.done
	})
}

// waitHTTP polls url until it answers any HTTP response, the child exits, or
// the start deadline passes. It answers the first response's status.
func (p *process) waitHTTP(url, user, pass string) (int, error) {
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Second}
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		req, err := http.NewRequest("PROPFIND", url, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Depth", "0")
		req.SetBasicAuth(user, pass)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return resp.StatusCode, nil
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s exited before answering: %v", p.name, p.err)
		case <-deadline.C:
			return 0, fmt.Errorf("%s did not answer %s within %v: %v", p.name, url, startTimeout, err)
		case <-tick.C:
		}
	}
}

// freePort answers a TCP port of 127.0.0.1 that was free a moment ago. A
// child process may still lose it to someone else before it binds; callers
// retry on a clash.
func freePort(t testing.TB) int {
	t.Helper()
	l := listenLocal(t)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// addrInUse reports whether a server's log says its port was taken.
func addrInUse(log string) bool {
	return strings.Contains(strings.ToLower(log), "address already in use")
}

// findProgram answers the path of a program, looking in the given places
// first and then in PATH, which lacks /usr/sbin for many users.
func findProgram(name string, places ...string) (string, error) {
	for _, p := range places {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return exec.LookPath(name)
}

// hostPort answers 127.0.0.1:port.
func hostPort(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// tail answers the last n lines of s, for failure messages.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
