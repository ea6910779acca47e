package sqs_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/photosync/photosync/adapters/sqs"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

// TestSyncQueue runs the contract against goaws.
func TestSyncQueue(t *testing.T) {
	g := startGoaws(t)
	porttest.TestSyncQueue(t, func(t *testing.T) (ports.SyncQueue, func(t *testing.T) []domain.SyncRequest) {
		url := g.newQueue(t)
		return sqs.NewSyncQueue(g.client(), url), func(t *testing.T) []domain.SyncRequest { return requests(t, g.receiveAll(t, url)) }
	})
}

// TestSyncQueueMessages: the messages a worker receives carry the
// documented JSON, once each, received for the first time.
func TestSyncQueueMessages(t *testing.T) {
	g := startGoaws(t)
	url := g.newQueue(t)
	q := sqs.NewSyncQueue(g.client(), url)
	at := time.Date(2026, 11, 27, 10, 15, 0, 0, time.FixedZone("CET", 3600))
	var reqs []domain.SyncRequest
	want := map[string]bool{}
	for i := range 12 {
		id := int64(i + 1)
		reqs = append(reqs, domain.SyncRequest{AccountID: id, RequestedAt: at})
		want[`{"account":`+strconv.FormatInt(id, 10)+`,"requested_at":"2026-11-27T09:15:00Z"}`] = true
	}
	before := time.Now().Add(-time.Second)
	if err := q.Enqueue(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	msgs := g.receiveAll(t, url)
	if len(msgs) != len(reqs) {
		t.Fatalf("received %d messages, want %d", len(msgs), len(reqs))
	}
	for _, m := range msgs {
		if !want[m.body] {
			t.Errorf("unexpected or repeated body %s", m.body)
		}
		delete(want, m.body)
		if m.attributes["ApproximateReceiveCount"] != "1" {
			t.Errorf("%s: ApproximateReceiveCount %q, want 1", m.body, m.attributes["ApproximateReceiveCount"])
		}
		ms, err := strconv.ParseInt(m.attributes["SentTimestamp"], 10, 64)
		if sent := time.UnixMilli(ms); err != nil || sent.Before(before) || sent.After(time.Now().Add(time.Second)) {
			t.Errorf("%s: SentTimestamp %q, want about now", m.body, m.attributes["SentTimestamp"])
		}
	}
}

// TestSyncQueueUnreachable: a queue nobody answers for fails every request
// as EUNAVAILABLE, naming the accounts.
func TestSyncQueueUnreachable(t *testing.T) {
	client := awssqs.New(awssqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(closedURL(t)),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
	q := sqs.NewSyncQueue(client, "https://sqs.us-east-1.amazonaws.com/100010001000/photosync-sync")
	now := time.Now()
	var reqs []domain.SyncRequest
	for i := range 13 {
		reqs = append(reqs, domain.SyncRequest{AccountID: int64(i + 1), RequestedAt: now})
	}
	err := q.Enqueue(context.Background(), reqs)
	var ee *domain.EnqueueError
	if !errors.As(err, &ee) || len(ee.Failed) != len(reqs) || domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("Enqueue to a closed port: %v; want all 13 failed as EUNAVAILABLE", err)
	}
	for i, f := range ee.Failed {
		if f.Request != reqs[i] || !strings.Contains(domain.ErrorMessage(f.Err), "cannot reach the sync queue") {
			t.Errorf("failure %d: %+v", i, f)
		}
	}
	if !strings.Contains(err.Error(), "accounts 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13: cannot reach the sync queue") {
		t.Errorf("the error says %q; want it to name each account", err)
	}
}

// TestSyncQueueMissing: a queue that does not exist is ENOTFOUND.
func TestSyncQueueMissing(t *testing.T) {
	g := startGoaws(t)
	url := g.newQueue(t)
	q := sqs.NewSyncQueue(g.client(), url+"-gone")
	err := q.Enqueue(context.Background(), []domain.SyncRequest{{AccountID: 4, RequestedAt: time.Now()}})
	var ee *domain.EnqueueError
	if !errors.As(err, &ee) || len(ee.Failed) != 1 || domain.ErrorCode(err) != domain.ENOTFOUND ||
		!strings.Contains(err.Error(), "account 4: the sync queue refused the messages: QueueDoesNotExist") {
		t.Fatalf("Enqueue to a missing queue: %v; want account 4 failed as ENOTFOUND", err)
	}
	if got := g.receiveAll(t, url); len(got) != 0 {
		t.Fatalf("the existing queue got %v", got)
	}
}
