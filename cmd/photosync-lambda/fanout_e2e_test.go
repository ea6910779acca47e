package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// recordingSQS is an SQS endpoint on 127.0.0.1 that takes SendMessageBatch
// calls in the AWS JSON 1.0 protocol the SDK v2 speaks (the shapes of the
// SQS API Reference) and keeps the messages, as SQS would, for the test
// to hand to the function as an SQS event.
type recordingSQS struct {
	t    *testing.T
	url  string
	mu   sync.Mutex
	sent []sqsMessage
}

// sqsMessage is a message the function sent.
type sqsMessage struct {
	ID, Queue, Body string
}

func startRecordingSQS(t *testing.T) *recordingSQS {
	t.Helper()
	s := &recordingSQS{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "AmazonSQS.SendMessageBatch" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			t.Errorf("unexpected SQS call: %s %q", r.Header.Get("X-Amz-Target"), r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var in struct {
			QueueUrl string
			Entries  []struct{ Id, MessageBody string }
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("SendMessageBatch body: %v", err)
		}
		type ok struct{ Id, MessageId, MD5OfMessageBody string }
		out := struct {
			Successful []ok
			Failed     []struct{}
		}{Successful: []ok{}, Failed: []struct{}{}}
		s.mu.Lock()
		for _, e := range in.Entries {
			id := fmt.Sprintf("0e5c7a4b-%04d-4c1e-9f6a-5b2d7c9e1a%02d", len(s.sent), len(s.sent))
			s.sent = append(s.sent, sqsMessage{ID: id, Queue: in.QueueUrl, Body: e.MessageBody})
			sum := md5.Sum([]byte(e.MessageBody))
			out.Successful = append(out.Successful, ok{e.Id, id, hex.EncodeToString(sum[:])})
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// take returns the messages sent since the last call.
func (s *recordingSQS) take() []sqsMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// sqsEvent is what the event source mapping hands the function for msgs.
func sqsEvent(msgs ...sqsMessage) map[string]any {
	var records []map[string]any
	for _, m := range msgs {
		records = append(records, map[string]any{
			"messageId": m.ID, "receiptHandle": "AQEB" + m.ID, "body": m.Body,
			"attributes":        map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(time.Now().UnixMilli())},
			"messageAttributes": map[string]any{}, "md5OfBody": "", "eventSource": "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:photosync-sync", "awsRegion": "eu-west-1",
		})
	}
	return map[string]any{"Records": records}
}

// forwarder relays TCP connections on 127.0.0.1 to a server until it is
// closed: then its port refuses connections, as a server that is down.
type forwarder struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startForwarder(t *testing.T, target string) *forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln}
	t.Cleanup(f.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, c, u)
			f.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	return f
}

func (f *forwarder) close() {
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

// enqueueResult is the answer to a scheduled event in fan-out mode.
type enqueueResult struct {
	Queued []int64
	Failed []struct {
		Account int64
		Error   string
	}
}

// batchResponse is the answer to an SQS event.
type batchResponse struct {
	BatchItemFailures []struct {
		ItemIdentifier string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

func (b batchResponse) ids() []string {
	var ids []string
	for _, f := range b.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestLambdaFanOutUnderEmulator runs the built bootstrap in fan-out mode
// under the runtime interface emulator: a scheduled event sends one SQS
// message per due account through the AWS SDK (to a recording SQS
// endpoint) and syncs nothing; an SQS event with those two messages, one
// account's server being down, syncs the other and names only the failed
// message in batchItemFailures; that message alone comes back and fails
// again; the next scheduled event asks again for the failed account only.
func TestLambdaFanOutUnderEmulator(t *testing.T) {
	rie, bootstrap := rieBinary(t), buildBootstrap(t)
	queue := startRecordingSQS(t)
	const queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/photosync-sync"
	lib := filepath.Join(t.TempDir(), "photos")
	env := map[string]string{
		"PHOTOSYNC_DATA":           filepath.Join(t.TempDir(), "data"),
		"PHOTOSYNC_LIBRARY":        lib,
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e",
		"PHOTOSYNC_SECRET_KEY":     base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"PHOTOSYNC_INDEX_INTERVAL": "0",
		"PHOTOSYNC_SYNC_QUEUE_URL": queueURL,
		// The SDK's own settings: the endpoint override sends the calls
		// to the recording endpoint instead of AWS.
		"AWS_ENDPOINT_URL_SQS":  queue.url,
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "fan-out-test-secret",
	}
	fn := startEmulator(t, rie, bootstrap, env, 120)
	var session struct{ Token string }
	if res := fn.request("POST", "/api/v1/session", "", map[string]string{"password": "admin-e2e"}, &session); res.StatusCode != 200 || session.Token == "" {
		t.Fatalf("POST /api/v1/session: %+v", res)
	}

	// Two hourly accounts: one on rclone's server, one on a server that
	// goes down once connected.
	good := davtest.StartRclone(t)
	want := map[string][]byte{}
	for i := range 2 {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 30 + i, Height: 20, Seed: int64(i)})
		name := fmt.Sprintf("IMG_%04d.jpg", i)
		good.WriteFile(t, "Photos/"+name, data)
		want[name] = data
	}
	downSrv := davtest.StartXNet(t)
	downSrv.WriteFile(t, "Photos/DOWN.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 10, Height: 10, Seed: 9}))
	fwd := startForwarder(t, strings.TrimSuffix(strings.TrimPrefix(downSrv.URL, "http://"), "/"))
	connect := func(name, url, user, pass string) int64 {
		var a struct{ ID int64 }
		if res := fn.request("POST", "/api/v1/accounts", session.Token, map[string]any{
			"name": name, "url": url, "username": user, "password": pass,
			"sync_enabled": true, "sync_folder": "/Photos", "sync_interval": 3600, "sync_download": true,
		}, &a); res.StatusCode != http.StatusCreated || a.ID == 0 {
			t.Fatalf("POST /api/v1/accounts (%s): %+v", name, res)
		}
		return a.ID
	}
	goodID := connect("good", good.URL, good.Username, good.Password)
	downID := connect("down", "http://"+fwd.ln.Addr().String()+"/", downSrv.Username, downSrv.Password)
	fwd.close()

	// The scheduled event only sends the messages.
	var enq enqueueResult
	fn.invoke(scheduledEvent(), &enq)
	if !slices.Equal(enq.Queued, []int64{goodID, downID}) || len(enq.Failed) != 0 {
		t.Fatalf("the scheduled event answered %+v; want accounts %d and %d queued", enq, goodID, downID)
	}
	msgs := queue.take()
	if len(msgs) != 2 {
		t.Fatalf("the queue got %d messages, want 2: %+v", len(msgs), msgs)
	}
	byAccount := map[int64]sqsMessage{}
	for _, m := range msgs {
		var b struct {
			Account     int64     `json:"account"`
			RequestedAt time.Time `json:"requested_at"`
		}
		if err := json.Unmarshal([]byte(m.Body), &b); err != nil || m.Queue != queueURL || time.Since(b.RequestedAt) > time.Minute {
			t.Fatalf("message %+v: %v", m, err)
		}
		byAccount[b.Account] = m
	}
	if len(libraryFiles(t, lib)) != 0 {
		t.Fatal("the scheduled event synced files itself")
	}

	// SQS hands both messages to the function in one batch.
	var batch batchResponse
	start := time.Now()
	fn.invoke(sqsEvent(byAccount[goodID], byAccount[downID]), &batch)
	t.Logf("the batch of two took %v", time.Since(start))
	if ids := batch.ids(); !slices.Equal(ids, []string{byAccount[downID].ID}) {
		t.Fatalf("batchItemFailures %v; want only the down account's message %s", ids, byAccount[downID].ID)
	}
	got := libraryFiles(t, lib)
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("library %s: %d bytes, want the server's %d", name, len(got[name]), len(data))
		}
	}
	if len(got) != len(want) {
		t.Errorf("the library holds %d files, want %d", len(got), len(want))
	}

	// The failed message comes back alone and fails again; the good one,
	// delivered twice, has nothing left to do.
	fn.invoke(sqsEvent(byAccount[downID]), &batch)
	if ids := batch.ids(); !slices.Equal(ids, []string{byAccount[downID].ID}) {
		t.Fatalf("the retried message: batchItemFailures %v", ids)
	}
	fn.invoke(sqsEvent(byAccount[goodID]), &batch)
	if ids := batch.ids(); batch.BatchItemFailures == nil || len(ids) != 0 {
		t.Fatalf("a repeated delivery of the good message: batchItemFailures %v; want []", ids)
	}

	// The next scheduled event asks again only for the account whose run
	// did not finish.
	fn.invoke(scheduledEvent(), &enq)
	if !slices.Equal(enq.Queued, []int64{downID}) {
		t.Fatalf("the next scheduled event queued %v; want only %d", enq.Queued, downID)
	}
	if msgs := queue.take(); len(msgs) != 1 || !strings.Contains(msgs[0].Body, fmt.Sprintf(`"account":%d,`, downID)) {
		t.Fatalf("the queue got %+v", msgs)
	}
	if strings.Contains(fn.out.String(), "fan-out-test-secret") {
		t.Error("the function's output shows the AWS secret key")
	}
}
