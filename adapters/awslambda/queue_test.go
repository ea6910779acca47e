package awslambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/photosync/photosync/adapters/awslambda"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/ports"
)

// downConnector answers for the URLs in down as a server that is gone.
type downConnector struct {
	*memory.Connector
	down map[string]bool
}

func (c downConnector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	if c.down[creds.URL] {
		return nil, domain.RemoteErrorf(domain.EUNAVAILABLE, "connection to %s refused", creds.URL)
	}
	return c.Connector.Open(creds, typ)
}

// fanOutWorld is a function in fan-out mode on memory adapters, with two
// hourly accounts: good, whose server holds one photo, and gone, whose
// server stops answering once connected.
type fanOutWorld struct {
	h          *awslambda.Handler
	queue      *memory.SyncQueue
	syncer     *app.Syncer
	jobs       *app.Jobs
	sched      *app.Scheduler
	app        *app.App
	clock      *memory.Clock
	good, gone domain.Account
	now        time.Time
}

func newFanOutWorld(t *testing.T) *fanOutWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	clock := memory.NewClock(now)
	log := slog.New(slog.DiscardHandler)
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	goodSrv, goneSrv := memory.NewServer(clock), memory.NewServer(clock)
	remote := memory.NewRemote(goodSrv)
	if err := remote.MkdirAll(ctx, "/Photos"); err != nil {
		t.Fatal(err)
	}
	photo := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 10, Seed: 1})
	if err := remote.Upload(ctx, "/Photos/a.jpg", bytes.NewReader(photo), int64(len(photo)), domain.UploadMeta{ModTime: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	conn := downConnector{memory.NewConnector(), map[string]bool{}}
	conn.Register("https://good.example/", domain.TypeWebDAV, "bob", "hunter2", goodSrv)
	conn.Register("https://gone.example/", domain.TypeWebDAV, "bob", "hunter2", goneSrv)
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Secrets, p.Connector, p.Log = box, conn, log
	ap := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond}})
	accounts := ap.Accounts
	connect := func(url string) domain.Account {
		a, err := accounts.Connect(ctx, app.AccountInput{
			URL: &url, Username: ptr("bob"), Password: ptr("hunter2"),
			SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w := &fanOutWorld{good: connect("https://good.example/"), gone: connect("https://gone.example/"), now: now, clock: clock}
	conn.down["https://gone.example/"] = true
	w.syncer, w.jobs, w.sched = ap.Syncer, ap.Jobs, ap.Scheduler
	w.queue = memory.NewSyncQueue()
	w.h = awslambda.New(ap, awslambda.Settings{Queue: w.queue})
	w.app = ap
	return w
}

func ptr[T any](v T) *T { return &v }

func scheduledEvent() json.RawMessage {
	return json.RawMessage(`{"version":"0","id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events",` +
		`"account":"123456789012","time":"2026-11-27T10:00:00Z","region":"eu-west-1","resources":[],"detail":{}}`)
}

// sqsEvent is what the event source mapping sends for messages with
// these bodies, their IDs m0, m1...
func sqsEvent(bodies ...string) json.RawMessage {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: fmt.Sprintf("m%d", i), ReceiptHandle: "rh", Body: b, EventSource: "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:photosync-sync", AWSRegion: "eu-west-1",
			Attributes: map[string]string{"ApproximateReceiveCount": "1"},
		})
	}
	raw, _ := json.Marshal(ev)
	return raw
}

func body(account int64, at time.Time) string {
	return fmt.Sprintf(`{"account":%d,"requested_at":%q}`, account, at.Format(time.RFC3339Nano))
}

// TestScheduledEventFansOut: with a queue, a scheduled event sends one
// request per due account and syncs nothing itself.
func TestScheduledEventFansOut(t *testing.T) {
	w := newFanOutWorld(t)
	out, err := w.h.Handle(context.Background(), scheduledEvent())
	res, ok := out.(awslambda.EnqueueResult)
	if err != nil || !ok || !slices.Equal(res.Queued, []int64{w.good.ID, w.gone.ID}) || len(res.Failed) != 0 {
		t.Fatalf("scheduled event: %+v, %v; want accounts %d and %d queued", out, err, w.good.ID, w.gone.ID)
	}
	q := w.queue.Take()
	if len(q) != 2 || q[0].AccountID != w.good.ID || q[1].AccountID != w.gone.ID || !q[0].RequestedAt.Equal(w.now) {
		t.Fatalf("queued %+v", q)
	}
	if runs, _ := w.syncer.Runs(context.Background(), w.good.ID, 1); len(runs) != 0 {
		t.Fatalf("the scheduled event ran a sync: %+v", runs)
	}

	// A queue that refuses one account: the answer names it.
	w.queue.Refuse(func(r domain.SyncRequest) error {
		if r.AccountID == w.gone.ID {
			return domain.Errorf(domain.EUNAVAILABLE, "throttled")
		}
		return nil
	})
	out, err = w.h.Handle(context.Background(), scheduledEvent())
	res, _ = out.(awslambda.EnqueueResult)
	if err != nil || !slices.Equal(res.Queued, []int64{w.good.ID}) || len(res.Failed) != 1 || res.Failed[0].Account != w.gone.ID || res.Failed[0].Error != "throttled" {
		t.Fatalf("one refused: %+v, %v", out, err)
	}
	// A queue that refuses all: the invocation fails.
	w.queue.Refuse(func(domain.SyncRequest) error { return domain.Errorf(domain.EUNAVAILABLE, "down") })
	if _, err := w.h.Handle(context.Background(), scheduledEvent()); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("all refused: %v; want the invocation to fail", err)
	}
}

// TestSQSEventReportsFailedMessages: an SQS batch naming a healthy
// account, one whose server is gone and a message that is no request
// answers batchItemFailures naming the last two only, and syncs the
// healthy account.
func TestSQSEventReportsFailedMessages(t *testing.T) {
	w := newFanOutWorld(t)
	out, err := w.h.Handle(context.Background(), sqsEvent(body(w.good.ID, w.now), body(w.gone.ID, w.now), `{"hello": 1}`))
	res, ok := out.(events.SQSEventResponse)
	if err != nil || !ok {
		t.Fatalf("SQS event: %+v, %v", out, err)
	}
	var failed []string
	for _, f := range res.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	slices.Sort(failed)
	if !slices.Equal(failed, []string{"m1", "m2"}) {
		t.Fatalf("batchItemFailures %v; want m1 (the gone server) and m2 (not a request)", failed)
	}
	runs, _ := w.syncer.Runs(context.Background(), w.good.ID, 5)
	if len(runs) != 1 || !runs[0].Complete || runs[0].Downloaded != 1 {
		t.Fatalf("the healthy account's runs: %+v", runs)
	}

	// Delivered again, the healthy account's request runs nothing, and an
	// all-good batch answers an empty list.
	out, err = w.h.Handle(context.Background(), sqsEvent(body(w.good.ID, w.now)))
	raw, _ := json.Marshal(out)
	if err != nil || string(raw) != `{"batchItemFailures":[]}` {
		t.Fatalf("a batch that succeeds: %s, %v", raw, err)
	}
	if runs, _ := w.syncer.Runs(context.Background(), w.good.ID, 5); len(runs) != 1 {
		t.Fatalf("a repeated delivery ran the sync again: %+v", runs)
	}
}

// TestSQSEventWithoutQueue: a function with no sync queue refuses SQS
// events (its scheduled events sync within the invocation, as before).
func TestSQSEventWithoutQueue(t *testing.T) {
	h := awslambda.New(nil, awslambda.Settings{})
	_, err := h.Handle(context.Background(), sqsEvent(body(1, time.Now())))
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "no sync queue") {
		t.Fatalf("SQS event without a queue: %v", err)
	}
}

// TestLambdaRunsAreJobs: a sync the function runs, whether asked for by
// {"action": "sync"}, by a scheduled event without a queue or by an SQS
// message, is a job with a record, and its run names that job.
func TestLambdaRunsAreJobs(t *testing.T) {
	w := newFanOutWorld(t)
	ctx := context.Background()
	direct := awslambda.New(w.app, awslambda.Settings{})
	jobbed := func(how string, want int) {
		t.Helper()
		runs, err := w.syncer.Runs(ctx, w.good.ID, 10)
		if err != nil || len(runs) != want {
			t.Fatalf("%s: runs %+v, %v; want %d", how, runs, err, want)
		}
		r := runs[0]
		if r.JobID == 0 {
			t.Fatalf("%s: run %d has no job", how, r.ID)
		}
		j, err := w.jobs.Job(ctx, r.JobID)
		if err != nil || j.Kind != domain.JobSync || j.AccountID != w.good.ID || !j.State.Ended() {
			t.Fatalf("%s: the run's job %d: %+v, %v; want an ended sync job of account %d", how, r.JobID, j, err, w.good.ID)
		}
		for _, o := range runs[1:] {
			if o.JobID == r.JobID {
				t.Fatalf("%s: runs %d and %d share job %d", how, o.ID, r.ID, r.JobID)
			}
		}
	}

	out, err := direct.Handle(ctx, json.RawMessage(fmt.Sprintf(`{"action":"sync","account":%d}`, w.good.ID)))
	if r, ok := out.(awslambda.RunResult); err != nil || !ok || r.Run == 0 || !r.Complete {
		t.Fatalf("sync action: %+v, %v", out, err)
	}
	jobbed("sync action", 1)

	w.clock.Advance(2 * time.Hour) // due again
	if _, err := direct.Handle(ctx, scheduledEvent()); err != nil {
		t.Fatalf("scheduled event: %v", err)
	}
	jobbed("scheduled event", 2)

	w.clock.Advance(2 * time.Hour)
	if _, err := w.h.Handle(ctx, sqsEvent(body(w.good.ID, w.clock.Now()))); err != nil {
		t.Fatalf("SQS event: %v", err)
	}
	jobbed("SQS message", 3)
}
