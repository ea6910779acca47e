package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/photosync/photosync/domain"
)

// EnqueueResult answers a scheduled event when the function fans out:
// the accounts whose sync was sent to the queue, and those the queue
// refused (the next scheduled event finds them again).
type EnqueueResult struct {
	Queued []int64         `json:"queued"`
	Failed []EnqueueFailed `json:"failed,omitempty"`
}

// EnqueueFailed is an account the queue refused.
type EnqueueFailed struct {
	Account int64  `json:"account"`
	Error   string `json:"error"`
}

// enqueueDue sends one message per due account and runs no sync. It fails
// when accounts were due and none could be sent, so that the invocation
// counts as an error in the function's metrics.
func (h *Handler) enqueueDue(ctx context.Context) (EnqueueResult, error) {
	ctx, cancel := h.bounded(ctx)
	defer cancel()
	sent, err := h.d.FanOut.EnqueueDue(ctx)
	res := EnqueueResult{Queued: make([]int64, 0, len(sent))}
	for _, r := range sent {
		res.Queued = append(res.Queued, r.AccountID)
	}
	var ee *domain.EnqueueError
	switch {
	case err == nil:
		return res, nil
	case !errors.As(err, &ee):
		return res, err
	}
	for _, f := range ee.Failed {
		res.Failed = append(res.Failed, EnqueueFailed{Account: f.Request.AccountID, Error: domain.ErrorMessage(f.Err)})
	}
	if len(sent) == 0 {
		return res, err
	}
	return res, nil
}

// syncMessage is the body of a message of the sync queue (see
// ports.SyncQueue).
type syncMessage struct {
	Account     int64     `json:"account"`
	RequestedAt time.Time `json:"requested_at"`
}

// runMessages runs the syncs an SQS batch asks for, together, and names
// the messages to deliver again in batchItemFailures (the event source
// mapping reports batch item failures), so that one failing account is
// retried alone, and after the queue's maxReceiveCount moved to its
// dead-letter queue. A message that is not a sync request is named too:
// it cannot succeed, and the dead-letter queue keeps it for a person.
func (h *Handler) runMessages(ctx context.Context, raw json.RawMessage) (events.SQSEventResponse, error) {
	res := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	if h.d.FanOut == nil {
		return res, domain.Errorf(domain.EINVALID, "an SQS event, but this function has no sync queue configured")
	}
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return res, domain.Errorf(domain.EINVALID, "the SQS event does not parse: %v", err)
	}
	ctx, cancel := h.bounded(ctx)
	defer cancel()
	var reqs []domain.SyncRequest
	var ids []string
	for _, m := range ev.Records {
		var b syncMessage
		if err := json.Unmarshal([]byte(m.Body), &b); err != nil || b.Account <= 0 || b.RequestedAt.IsZero() {
			h.d.Log.WarnContext(ctx, "not a sync request", "message", m.MessageId, "source", m.EventSourceARN)
			res.BatchItemFailures = append(res.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		reqs = append(reqs, domain.SyncRequest{AccountID: b.Account, RequestedAt: b.RequestedAt})
		ids = append(ids, m.MessageId)
	}
	for i, o := range h.d.FanOut.Run(ctx, reqs) {
		if o.Retry {
			res.BatchItemFailures = append(res.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ids[i]})
		}
	}
	return res, nil
}
