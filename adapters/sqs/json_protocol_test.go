package sqs_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/photosync/photosync/adapters/sqs"
	"github.com/photosync/photosync/domain"
)

// The shapes below are SQS's AWS JSON 1.0 protocol as documented in the
// SQS API Reference (SendMessageBatch: request and response syntax, and
// "Common errors": the x-amzn-query-error header and __type), which the
// SDK v2 speaks to the real service and goaws does not.

const queueURL = "https://sqs.us-east-1.amazonaws.com/100010001000/photosync-sync"

type batchEntry struct {
	Id, MessageBody string
}

// jsonSQS records SendMessageBatch calls and answers them with answer.
type jsonSQS struct {
	t      *testing.T
	mu     sync.Mutex
	calls  [][]batchEntry
	answer func(w http.ResponseWriter, entries []batchEntry)
}

func (s *jsonSQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := s.t
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		t.Errorf("%s %s, want POST /", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != "AmazonSQS.SendMessageBatch" {
		t.Errorf("X-Amz-Target %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type %q", got)
	}
	if got := r.Header.Get("Authorization"); !strings.HasPrefix(got, "AWS4-HMAC-SHA256 Credential=test/") || !strings.Contains(got, "/us-east-1/sqs/aws4_request") {
		t.Errorf("Authorization %q: not signed for SQS in us-east-1", got)
	}
	raw, _ := io.ReadAll(r.Body)
	var in struct {
		QueueUrl string
		Entries  []batchEntry
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.QueueUrl != queueURL {
		t.Errorf("body %s: %v", raw, err)
	}
	s.mu.Lock()
	s.calls = append(s.calls, in.Entries)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	s.answer(w, in.Entries)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func startJSONSQS(t *testing.T, answer func(w http.ResponseWriter, entries []batchEntry)) (*jsonSQS, *sqs.SyncQueue) {
	s := &jsonSQS{t: t, answer: answer}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	client := awssqs.New(awssqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "secret", ""),
		RetryMaxAttempts: 1,
	})
	return s, sqs.NewSyncQueue(client, queueURL)
}

func manyRequests(n int) []domain.SyncRequest {
	at := time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)
	reqs := make([]domain.SyncRequest, n)
	for i := range reqs {
		reqs[i] = domain.SyncRequest{AccountID: int64(i + 1), RequestedAt: at}
	}
	return reqs
}

// TestJSONProtocolBatches: 25 requests go in calls of 10, 10 and 5
// entries with the documented body; entries SQS fails, and one its answer
// leaves out, are listed in the request order with SQS's code, the
// others are sent.
func TestJSONProtocolBatches(t *testing.T) {
	s, q := startJSONSQS(t, func(w http.ResponseWriter, entries []batchEntry) {
		type ok struct{ Id, MessageId, MD5OfMessageBody string }
		type fail struct {
			Id, Code, Message string
			SenderFault       bool
		}
		out := struct {
			Successful []ok
			Failed     []fail
		}{Successful: []ok{}, Failed: []fail{}}
		for _, e := range entries {
			switch {
			case strings.Contains(e.MessageBody, `"account":12,`):
				out.Failed = append(out.Failed, fail{e.Id, "InvalidMessageContents", "The message contains characters outside the allowed set.", true})
			case strings.Contains(e.MessageBody, `"account":3,`):
				out.Failed = append(out.Failed, fail{e.Id, "InternalError", "We encountered an internal error. Please try again.", false})
			case strings.Contains(e.MessageBody, `"account":25,`):
			default:
				out.Successful = append(out.Successful, ok{e.Id, "m-" + e.Id, md5hex(e.MessageBody)})
			}
		}
		// Failed first: SQS answers in no particular order.
		json.NewEncoder(w).Encode(out)
	})
	reqs := manyRequests(25)
	err := q.Enqueue(context.Background(), reqs)

	if len(s.calls) != 3 || len(s.calls[0]) != 10 || len(s.calls[1]) != 10 || len(s.calls[2]) != 5 {
		t.Fatalf("%d calls: %v; want 10, 10 and 5 entries", len(s.calls), s.calls)
	}
	ids := map[string]bool{}
	for _, e := range s.calls[2] {
		ids[e.Id] = true
	}
	if e := s.calls[0][1]; e.MessageBody != `{"account":2,"requested_at":"2026-11-27T10:15:00Z"}` || len(ids) != 5 {
		t.Errorf("entry %+v, ids of the last call %v", e, ids)
	}

	var ee *domain.EnqueueError
	if !errors.As(err, &ee) || len(ee.Failed) != 3 {
		t.Fatalf("Enqueue: %v; want 3 failures", err)
	}
	for i, want := range []struct {
		account int64
		code    string
		says    string
	}{
		{3, domain.EUNAVAILABLE, "the sync queue refused the message: InternalError: We encountered an internal error"},
		{12, domain.EINVALID, "the sync queue refused the message: InvalidMessageContents: The message contains"},
		{25, domain.EUNAVAILABLE, "the sync queue did not answer for this message"},
	} {
		f := ee.Failed[i]
		if f.Request != reqs[want.account-1] || domain.ErrorCode(f.Err) != want.code || !strings.Contains(f.Err.Error(), want.says) {
			t.Errorf("failure %d: account %d, %s %q; want account %d, %s %q", i, f.Request.AccountID, domain.ErrorCode(f.Err), f.Err, want.account, want.code, want.says)
		}
	}
}

// TestJSONProtocolErrors: a call SQS refuses as a whole fails every
// request with the code of its documented error, after one call.
func TestJSONProtocolErrors(t *testing.T) {
	for _, tc := range []struct {
		name, queryError, typ, message, code string
		status                               int
	}{
		{"missing queue", "AWS.SimpleQueueService.NonExistentQueue;Sender", "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.", domain.ENOTFOUND, 400},
		{"access denied", "", "com.amazon.coral.service#AccessDeniedException", "User: arn:aws:sts::100010001000:assumed-role/photosync is not authorized to perform: sqs:sendmessage", domain.EFORBIDDEN, 400},
		{"throttled", "", "com.amazonaws.sqs#RequestThrottled", "Rate exceeded", domain.EUNAVAILABLE, 400},
		{"server error", "", "com.amazon.coral.service#InternalFailure", "internal failure", domain.EUNAVAILABLE, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, q := startJSONSQS(t, func(w http.ResponseWriter, _ []batchEntry) {
				if tc.queryError != "" {
					w.Header().Set("x-amzn-query-error", tc.queryError)
				}
				w.WriteHeader(tc.status)
				json.NewEncoder(w).Encode(map[string]string{"__type": tc.typ, "message": tc.message})
			})
			reqs := manyRequests(12)
			err := q.Enqueue(context.Background(), reqs)
			var ee *domain.EnqueueError
			if !errors.As(err, &ee) || len(ee.Failed) != len(reqs) || domain.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("Enqueue: %v (%s); want all %d failed as %s, with SQS's message", err, domain.ErrorCode(err), len(reqs), tc.code)
			}
			if len(s.calls) != 1 {
				t.Errorf("%d calls after a call failed as a whole, want 1", len(s.calls))
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the secret key: %v", err)
			}
		})
	}
}
