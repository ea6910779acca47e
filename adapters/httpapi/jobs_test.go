package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
)

// lockedLog is a log that the server's goroutines write while the test
// reads it.
type lockedLog struct {
	mu sync.Mutex
	sb strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.String()
}

// jobsAPI is the API with the job routes on memory adapters, signed in.
func jobsAPI(t *testing.T) (*apiClient, *app.Jobs, *lockedLog) {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	logs := &lockedLog{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Log = log
	a := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"})
	jobs := a.Jobs
	h := httpapi.NewWithJobs(a, httpapi.Settings{Version: "test"}, 20*time.Millisecond)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		jobs.Close() // ends the event streams first
		srv.Close()
	})
	c := &apiClient{t: t, srv: srv}
	c.login()
	return c, jobs, logs
}

// uploadWork uploads one file and skips another or, with failed set,
// fails it.
func uploadWork(failed bool) func(ctx context.Context, p *app.Progress) error {
	return func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(2, 3000)
		p.AddBytes(1000)
		p.FileDone("2024/a.jpg", app.Uploaded, nil)
		if failed {
			p.FileDone("2024/b.dng", app.Failed, domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered 507: insufficient storage"))
		} else {
			p.FileDone("2024/b.dng", app.Skipped, nil)
		}
		return nil
	}
}

// runJob runs uploadWork as a job to its end.
func runJob(t *testing.T, jobs *app.Jobs, kind domain.JobKind, account int64, failed bool) domain.Job {
	t.Helper()
	j, err := jobs.Run(context.Background(), kind, account, uploadWork(failed))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobRoutes(t *testing.T) {
	c, jobs, _ := jobsAPI(t)
	first := runJob(t, jobs, domain.JobUpload, 1, true)
	runJob(t, jobs, domain.JobIndex, 0, false)
	runJob(t, jobs, domain.JobUpload, 2, false)

	var one map[string]any
	if st, raw := c.do("GET", "/api/v1/jobs/1", "", &one); st != 200 {
		t.Fatalf("GET job: %d %s", st, raw)
	}
	for k, want := range map[string]any{
		"id": float64(first.ID), "kind": "upload", "account_id": float64(1), "state": "partial",
		"files_total": float64(2), "files_done": float64(2), "bytes_total": float64(3000), "bytes_done": float64(1000),
		"uploaded": float64(1), "downloaded": float64(0), "skipped": float64(0), "failed": float64(1), "error": "",
	} {
		if one[k] != want {
			t.Errorf("job JSON: %s is %#v, want %#v", k, one[k], want)
		}
	}
	errs, _ := one["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["path"] != "2024/b.dng" ||
		!strings.Contains(errs[0].(map[string]any)["message"].(string), "507") {
		t.Errorf("job JSON errors: %#v", one["errors"])
	}
	for _, k := range []string{"created_at", "started_at", "finished_at"} {
		if s, _ := one[k].(string); s == "" {
			t.Errorf("job JSON: %s is %#v, want a time", k, one[k])
		}
	}

	var list struct {
		Jobs []struct {
			ID        int64
			Kind      string
			AccountID *int64 `json:"account_id"`
		}
	}
	if st, raw := c.do("GET", "/api/v1/jobs", "", &list); st != 200 || len(list.Jobs) != 3 || list.Jobs[0].ID != 3 || list.Jobs[1].AccountID != nil {
		t.Fatalf("GET jobs: %d %s; want 3 jobs newest first, the index with account_id null", st, raw)
	}
	if st, raw := c.do("GET", "/api/v1/jobs?account=1&kind=upload", "", &list); st != 200 || len(list.Jobs) != 1 || list.Jobs[0].ID != 1 {
		t.Fatalf("GET jobs of account 1: %d %s", st, raw)
	}
	if st, raw := c.do("GET", "/api/v1/jobs?limit=2", "", &list); st != 200 || len(list.Jobs) != 2 {
		t.Fatalf("GET jobs?limit=2: %d %s", st, raw)
	}
	if st, raw := c.do("GET", "/api/v1/jobs?kind=index", "", &list); st != 200 || len(list.Jobs) != 1 || list.Jobs[0].Kind != "index" {
		t.Fatalf("GET jobs?kind=index: %d %s", st, raw)
	}

	var e apiError
	for _, q := range []string{"account=x", "account=-1", "kind=nope", "limit=0", "limit=1001", "limit=ten"} {
		if st, raw := c.do("GET", "/api/v1/jobs?"+q, "", &e); st != 400 || e.Error.Code != "EINVALID" {
			t.Errorf("GET jobs?%s: %d %s, want 400 EINVALID", q, st, raw)
		}
	}
	if st, raw := c.do("GET", "/api/v1/jobs/99", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Errorf("GET a missing job: %d %s", st, raw)
	}
	if st, raw := c.do("POST", "/api/v1/jobs/1/cancel", "", &e); st != 409 || e.Error.Code != "ECONFLICT" {
		t.Errorf("cancel an ended job: %d %s", st, raw)
	}
	if st, raw := c.do("POST", "/api/v1/jobs/99/cancel", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Errorf("cancel a missing job: %d %s", st, raw)
	}
	c.token = ""
	for _, r := range [][2]string{{"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/1"}, {"POST", "/api/v1/jobs/1/cancel"}, {"GET", "/api/v1/events"}} {
		if st, _ := c.do(r[0], r[1], "", &e); st != 401 {
			t.Errorf("%s %s without a session: %d", r[0], r[1], st)
		}
	}
}

func TestCancelRoute(t *testing.T) {
	c, jobs, _ := jobsAPI(t)
	started := make(chan struct{})
	j, err := jobs.Start(context.Background(), domain.JobUpload, 1, func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(5, 0)
		p.FileDone("a.jpg", app.Uploaded, nil)
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	var got struct {
		State     string
		FilesDone int `json:"files_done"`
	}
	if st, raw := c.do("POST", "/api/v1/jobs/1/cancel", "", &got); st != 202 || got.FilesDone != 1 {
		t.Fatalf("cancel a running job: %d %s", st, raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	end, err := jobs.Wait(ctx, j.ID)
	if err != nil || end.State != domain.JobCancelled {
		t.Fatalf("after cancel: %+v, %v", end, err)
	}
	if st, raw := c.do("GET", "/api/v1/jobs/1", "", &got); st != 200 || got.State != "cancelled" {
		t.Fatalf("GET a cancelled job: %d %s", st, raw)
	}
}

func TestEvents(t *testing.T) {
	c, jobs, logs := jobsAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the event stream ended")
			}
			return l
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5 s")
		}
		return ""
	}
	// The stream is open before the job starts: it must carry the job's
	// updates up to its final state, each as event + data + blank line,
	// and heartbeats while idle.
	if _, err := jobs.Start(ctx, domain.JobUpload, 1, uploadWork(false)); err != nil {
		t.Fatal(err)
	}
	var final map[string]any
	heartbeats := 0
	for final == nil {
		switch l := next(); {
		case l == "event: job":
			data := next()
			if !strings.HasPrefix(data, "data: ") || next() != "" {
				t.Fatalf("event: job followed by %q, want data and a blank line", data)
			}
			var j map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(data, "data: ")), &j); err != nil {
				t.Fatalf("event data %q: %v", data, err)
			}
			if j["state"] == "done" {
				final = j
			}
		case strings.HasPrefix(l, ":"):
			heartbeats++
		}
	}
	if final["uploaded"] != float64(1) || final["skipped"] != float64(1) || final["kind"] != "upload" {
		t.Errorf("final event: %v", final)
	}
	for heartbeats == 0 {
		if l := next(); strings.HasPrefix(l, ":") {
			heartbeats++
		}
	}
	// The client goes away: the handler ends and logs its request.
	cancel()
	if !testkit.Poll(5*time.Second, time.Millisecond, func() bool { return strings.Contains(logs.String(), "route=/api/v1/events") }) {
		t.Fatalf("the events handler did not end when the client went away; log:\n%s", logs)
	}
}
