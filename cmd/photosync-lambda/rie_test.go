package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/photosync/photosync/internal/testkit"
)

// rieVersion is the AWS Lambda runtime interface emulator the tests run
// the function under, built from the Go module proxy.
const rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"

// rieBinary returns aws-lambda-rie from PATH, else builds it once into the
// user's cache folder.
func rieBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	gobin := filepath.Join(cache, "photosync-test", "aws-lambda-rie-"+rieVersion)
	bin := filepath.Join(gobin, "aws-lambda-rie")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "install", "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@"+rieVersion)
	cmd.Dir = t.TempDir() // outside this module: its go.mod does not apply
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install aws-lambda-rie: %v\n%s", err, out)
	}
	return bin
}

// buildBootstrap builds this command as a function's bootstrap.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	return testkit.Build(t, testkit.Binary{Package: ".", Name: "bootstrap", Tags: "lambda.norpc"})
}

// freeAddr returns a free TCP address on 127.0.0.1.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer is the emulator's output, written by its process.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// emulator is a bootstrap running under aws-lambda-rie.
type emulator struct {
	t    *testing.T
	url  string
	cmd  *exec.Cmd
	out  *lockedBuffer
	once sync.Once
}

// startEmulator runs bootstrap under the emulator with env and a function
// timeout in seconds, both of its addresses on 127.0.0.1.
func startEmulator(t *testing.T, rie, bootstrap string, env map[string]string, timeout int) *emulator {
	t.Helper()
	addr, runtimeAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", runtimeAddr, bootstrap)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(timeout)}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the bootstrap goes with it
	e := &emulator{t: t, url: "http://" + addr + "/2015-03-31/functions/function/invocations", cmd: cmd, out: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = e.out, e.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.stop)
	listens := testkit.Poll(20*time.Second, 10*time.Millisecond, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if !listens {
		t.Fatalf("the emulator does not listen on %s\n%s", addr, e.out)
	}
	return e
}

// stop ends the emulator and the bootstrap it started.
func (e *emulator) stop() {
	e.once.Do(func() {
		syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		e.cmd.Wait()
	})
}

// invoke sends an event and decodes the function's answer into out. A
// function error fails the test.
func (e *emulator) invoke(event any, out any) {
	e.t.Helper()
	b, err := json.Marshal(event)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := http.Post(e.url, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatalf("invoke: %v\n%s", err, e.out)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var fail struct{ ErrorType, ErrorMessage string }
	json.Unmarshal(raw, &fail)
	if res.StatusCode != http.StatusOK || fail.ErrorType != "" || fail.ErrorMessage != "" {
		e.t.Fatalf("invoke %s: %d %s\n%s", b, res.StatusCode, raw, e.out)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		e.t.Fatalf("invoke %s: %v: %s", b, err, raw)
	}
}

// httpResponse is a payload 2.0 answer.
type httpResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// request sends an HTTP API payload 2.0 event with a JSON body (nil for
// none) and decodes the answer's body into out.
func (e *emulator) request(method, path, token string, body, out any) httpResponse {
	e.t.Helper()
	headers := map[string]string{"host": "example.execute-api.eu-west-1.amazonaws.com", "user-agent": "rie-test"}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "", "headers": headers,
		"requestContext": map[string]any{
			"domainName": headers["host"], "stage": "$default", "routeKey": "$default",
			"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "rie-test"},
		},
		"isBase64Encoded": false,
	}
	if token != "" {
		headers["authorization"] = "Bearer " + token
	}
	if body != nil {
		b, _ := json.Marshal(body)
		headers["content-type"] = "application/json"
		ev["body"] = string(b)
	}
	var res httpResponse
	e.invoke(ev, &res)
	if res.IsBase64Encoded {
		e.t.Fatalf("%s %s: a JSON answer in base64: %+v", method, path, res)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.Body), out); err != nil {
			e.t.Fatalf("%s %s: %d %v: %s", method, path, res.StatusCode, err, res.Body)
		}
	}
	return res
}

// scheduledEvent is what EventBridge sends on a schedule rule.
func scheduledEvent() map[string]any {
	return map[string]any{
		"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
		"source": "aws.events", "account": "123456789012", "time": time.Now().UTC().Format(time.RFC3339),
		"region": "eu-west-1", "resources": []string{"arn:aws:events:eu-west-1:123456789012:rule/photosync"}, "detail": map[string]any{},
	}
}

// dueResult is the answer to a scheduled event.
type dueResult struct {
	Runs []struct {
		Account    int64
		Downloaded int
		Complete   bool
		Skipped    string
		Error      string
	}
}

func (r dueResult) String() string { return fmt.Sprintf("%+v", r.Runs) }
