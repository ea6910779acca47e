// Package awslambda is photosync's inbound AWS Lambda adapter: one handler
// that takes every event the function receives and routes it by its shape
// to the same use cases as `photosync serve` and the command line.
//
// The package is named awslambda so that it does not clash with
// aws-lambda-go's lambda package, which the composition root also uses.
package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Settings are the handler's own settings beside the app it drives.
type Settings struct {
	HTTP http.Handler // the API and web UI of `photosync serve`
	// Queue, when set (a sync queue is configured), makes a scheduled
	// event send the due syncs to the queue instead of running them, and
	// runs the syncs of the SQS messages the queue hands the function
	// (app.FanOut).
	Queue ports.SyncQueue
}

// deps is what the handler drives.
type deps struct {
	HTTP   http.Handler
	app    *app.App
	FanOut *app.FanOut // nil without a queue
	Log    *slog.Logger
}

// Handler is the function's handler. Its zero value is not usable: make
// one with New.
type Handler struct {
	d deps
	// Margin returns how much of the time left to an invocation a run
	// leaves unused, to record where it stopped before Lambda ends the
	// invocation.
	Margin func(left time.Duration) time.Duration
	// HTTPTimeout bounds an HTTP request: API Gateway gives up after 30
	// seconds, and the invocation should not outlive it.
	HTTPTimeout time.Duration
}

// DefaultHTTPTimeout is Handler.HTTPTimeout of New.
const DefaultHTTPTimeout = 29 * time.Second

// New returns the handler of the function, driving the app a (which may
// be nil for a handler of HTTP events only).
func New(a *app.App, s Settings) *Handler {
	d := deps{HTTP: s.HTTP, app: a, Log: slog.New(slog.DiscardHandler)}
	if a != nil {
		d.Log = a.Log
		if s.Queue != nil {
			d.FanOut = a.FanOut(s.Queue)
		}
	}
	return &Handler{d: d, Margin: DefaultMargin, HTTPTimeout: DefaultHTTPTimeout}
}

// DefaultMargin keeps a tenth of the time left, at least a second and at
// most ten seconds (never more than half of it): enough to save the run's
// records and release its lease on a database on EFS.
func DefaultMargin(left time.Duration) time.Duration {
	m := min(max(left/10, time.Second), 10*time.Second)
	return min(m, left/2)
}

// event is the union of the fields that tell the events apart.
type event struct {
	Version        string `json:"version"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Action     string          `json:"action"`
	Account    json.RawMessage `json:"account"`
	Records    []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// Handle routes one event: an API Gateway HTTP API (payload 2.0) or
// function URL request to the HTTP application; an EventBridge scheduled
// event to the due syncs (or, with a sync queue, to one message per due
// account: see Settings.Queue); an SQS event to the syncs its messages ask
// for; {"action": "sync", "account": ID} to one
// account's sync and {"action": "index"} to an index of the library, both
// run within the invocation. An event of another shape is an EINVALID
// error.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the event is not a JSON object: %v", err)
	}
	switch {
	case ev.Version == "2.0" && ev.RequestContext.HTTP.Method != "":
		return h.serveHTTP(ctx, raw)
	case ev.Source == "aws.events" && ev.DetailType == "Scheduled Event" && h.d.FanOut != nil:
		return h.enqueueDue(ctx)
	case ev.Source == "aws.events" && ev.DetailType == "Scheduled Event":
		return h.runDue(ctx)
	case len(ev.Records) > 0 && ev.Records[0].EventSource == "aws:sqs":
		return h.runMessages(ctx, raw)
	case ev.Action == "sync":
		var id int64
		if err := json.Unmarshal(ev.Account, &id); err != nil || id <= 0 {
			return nil, domain.Errorf(domain.EINVALID, "a sync needs the account's ID as a number: {\"action\": \"sync\", \"account\": 1}")
		}
		return h.syncAccount(ctx, id)
	case ev.Action == "index":
		return h.index(ctx)
	case ev.Action != "":
		return nil, domain.Errorf(domain.EINVALID, "unknown action %q: use sync or index", ev.Action)
	}
	return nil, domain.Errorf(domain.EINVALID, "unknown event: not an HTTP API 2.0 request, a scheduled event, an SQS event or an action")
}

// bounded returns ctx ending its margin before ctx's deadline, if it has
// one.
func (h *Handler) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-h.Margin(time.Until(dl))))
}

// RunResult is one account's sync as an invocation answers it.
type RunResult struct {
	Account    int64  `json:"account"`
	Run        int64  `json:"run,omitempty"`
	Downloaded int    `json:"downloaded"`
	Uploaded   int    `json:"uploaded"`
	Failed     int    `json:"failed"`
	Complete   bool   `json:"complete"`
	Skipped    string `json:"skipped,omitempty"` // why the run did not start
	Error      string `json:"error,omitempty"`   // why the run stopped
}

// DueResult answers a scheduled event.
type DueResult struct {
	Runs []RunResult `json:"runs"`
}

// runDue runs the due syncs one after the other within the invocation. A
// run stopped by the deadline keeps what it did, and the next scheduled
// invocation carries on (see due).
func (h *Handler) runDue(ctx context.Context) (DueResult, error) {
	ctx, cancel := h.bounded(ctx)
	defer cancel()
	due, err := h.d.app.Scheduler.Due(ctx, app.DuePolicy{Unfinished: true})
	if err != nil {
		return DueResult{}, err
	}
	res := DueResult{Runs: []RunResult{}}
	for _, a := range due {
		if ctx.Err() != nil {
			res.Runs = append(res.Runs, RunResult{Account: a.ID, Skipped: "no time left in this invocation"})
			continue
		}
		r, _ := h.sync(ctx, a.ID, app.BySchedule)
		res.Runs = append(res.Runs, r)
	}
	// The due verifies (proof of backup), in the time that is left.
	if v := h.d.app.Verifier; v != nil && ctx.Err() == nil {
		if _, err := v.RunDue(ctx); err != nil && ctx.Err() == nil {
			h.d.Log.WarnContext(ctx, "scheduled verify failed", "err", err)
		}
	}
	if al := h.d.app.Alerter; al != nil {
		if _, err := al.Check(context.WithoutCancel(ctx)); err != nil {
			h.d.Log.WarnContext(ctx, "cannot check for alerts", "err", err)
		}
	}
	return res, nil
}

// syncAccount runs one account's sync by hand within the invocation.
func (h *Handler) syncAccount(ctx context.Context, id int64) (RunResult, error) {
	ctx, cancel := h.bounded(ctx)
	defer cancel()
	r, err := h.sync(ctx, id, app.ByHand)
	switch {
	case err == nil, errors.Is(err, context.DeadlineExceeded):
		return r, nil // a partial run is an answer: the next one goes on
	case domain.ErrorCode(err) == domain.ECONFLICT:
		return r, nil
	}
	return r, err
}

// sync runs one account's sync and describes it.
func (h *Handler) sync(ctx context.Context, id int64, by app.SyncTrigger) (RunResult, error) {
	_, run, err := h.d.app.Syncer.Run(ctx, id, by, true)
	r := RunResult{
		Account: id, Run: run.ID, Downloaded: run.Downloaded, Uploaded: run.Uploaded,
		Failed: run.Failed, Complete: run.Complete, Error: run.Error,
	}
	switch {
	case err == nil:
	case run.ID == 0:
		r.Skipped = domain.ErrorMessage(err)
		h.d.Log.InfoContext(ctx, "sync not run", "account", id, "reason", r.Skipped)
	default:
		h.d.Log.WarnContext(ctx, "sync stopped", "account", id, "run", run.ID, "err", err)
	}
	if r.Error == "" && err != nil && r.Skipped == "" {
		r.Error = domain.ErrorMessage(err)
	}
	return r, err
}

// IndexResult answers an index action.
type IndexResult struct {
	Files    int    `json:"files"`
	Read     int    `json:"read"`
	Photos   int    `json:"photos"`
	Missing  int    `json:"missing"`
	Problems int    `json:"problems"`
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
}

// index indexes the library within the invocation.
func (h *Handler) index(ctx context.Context) (IndexResult, error) {
	ctx, cancel := h.bounded(ctx)
	defer cancel()
	ix, err := h.d.app.Indexer.Index(ctx, nil)
	r := IndexResult{Files: ix.Files, Read: ix.Read, Photos: ix.Photos, Missing: ix.Missing, Problems: len(ix.Problems), Complete: err == nil}
	if errors.Is(err, context.DeadlineExceeded) {
		r.Error = "stopped: the time for the index ran out"
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("index the library: %w", err)
	}
	return r, nil
}
