// Package sqs is photosync's queue of sync requests on Amazon SQS, through
// the AWS SDK for Go v2: the scheduled invocation of the Lambda function
// sends one message per due account, and SQS hands them to invocations of
// the same function, which sync the accounts in parallel.
package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// MaxBatch is how many messages one SendMessageBatch call carries at most:
// SQS's limit.
const MaxBatch = 10

// SyncQueue sends sync requests to one SQS queue.
type SyncQueue struct {
	client *awssqs.Client
	url    string
}

var _ ports.SyncQueue = (*SyncQueue)(nil)

// NewSyncQueue returns the queue at queueURL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)
// reached through client.
func NewSyncQueue(client *awssqs.Client, queueURL string) *SyncQueue {
	return &SyncQueue{client: client, url: queueURL}
}

// Message is the body of a sync request's message: the JSON of the
// ports.SyncQueue contract, which the Lambda adapter reads back.
type Message struct {
	Account     int64     `json:"account"`
	RequestedAt time.Time `json:"requested_at"`
}

// Enqueue sends the requests in batches of MaxBatch. An entry SQS refuses
// is listed in the *domain.EnqueueError with SQS's code and message:
// EINVALID when SQS blames the message, EUNAVAILABLE otherwise. A call
// that fails as a whole (after the SDK's retries) fails its batch and the
// ones after it with the same error, as the queue will not take them
// either.
func (q *SyncQueue) Enqueue(ctx context.Context, reqs []domain.SyncRequest) error {
	var failed []domain.EnqueueFailure
	for start := 0; start < len(reqs); start += MaxBatch {
		batch := reqs[start:min(start+MaxBatch, len(reqs))]
		entries := make([]types.SendMessageBatchRequestEntry, len(batch))
		byID := make(map[string]domain.SyncRequest, len(batch))
		for i, r := range batch {
			body, err := json.Marshal(Message{Account: r.AccountID, RequestedAt: r.RequestedAt.UTC()})
			if err != nil {
				return fmt.Errorf("encode the sync request of account %d: %w", r.AccountID, err)
			}
			// Ids need only be unique within a call.
			id := "r" + strconv.Itoa(start+i)
			byID[id] = r
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(string(body))}
		}
		out, err := q.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			err = callError(err)
			for _, r := range reqs[start:] {
				failed = append(failed, domain.EnqueueFailure{Request: r, Err: err})
			}
			break
		}
		// An entry the answer leaves out was not promised to be sent.
		errs := make(map[string]error, len(batch))
		for id := range byID {
			errs[id] = domain.Errorf(domain.EUNAVAILABLE, "the sync queue did not answer for this message")
		}
		for _, e := range out.Successful {
			delete(errs, aws.ToString(e.Id))
		}
		for _, e := range out.Failed {
			if _, ok := byID[aws.ToString(e.Id)]; ok {
				errs[aws.ToString(e.Id)] = entryError(e)
			}
		}
		for _, e := range entries {
			if err, ok := errs[aws.ToString(e.Id)]; ok {
				failed = append(failed, domain.EnqueueFailure{Request: byID[aws.ToString(e.Id)], Err: err})
			}
		}
	}
	if len(failed) > 0 {
		return &domain.EnqueueError{Failed: failed}
	}
	return nil
}

// entryError translates one entry SQS refused.
func entryError(e types.BatchResultErrorEntry) error {
	code := domain.EUNAVAILABLE
	if e.SenderFault {
		code = domain.EINVALID
	}
	return domain.Errorf(code, "the sync queue refused the message: %s: %s", aws.ToString(e.Code), aws.ToString(e.Message))
}

// callError translates the error of a whole SendMessageBatch call.
func callError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: "cannot reach the sync queue: " + err.Error(), Err: err}
	}
	code := domain.EINVALID
	switch api.ErrorCode() {
	case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "ResourceNotFoundException":
		code = domain.ENOTFOUND
	case "AccessDenied", "AccessDeniedException", "InvalidSecurity", "KmsAccessDenied", "InvalidClientTokenId",
		"UnrecognizedClientException", "SignatureDoesNotMatch", "MissingAuthenticationToken", "ExpiredToken":
		code = domain.EFORBIDDEN
	case "RequestThrottled", "KmsThrottled", "OverLimit", "ThrottlingException", "ServiceUnavailable", "InternalError", "InternalFailure":
		code = domain.EUNAVAILABLE
	default:
		var re *smithyhttp.ResponseError
		if api.ErrorFault() == smithy.FaultServer || errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
			code = domain.EUNAVAILABLE
		}
	}
	return &domain.Error{Code: code, Message: fmt.Sprintf("the sync queue refused the messages: %s: %s", api.ErrorCode(), api.ErrorMessage()), Err: err}
}
