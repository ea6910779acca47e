package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// waitErr is an adapter's cause that knows the server's Retry-After.
type waitErr time.Duration

func (w waitErr) Error() string             { return "busy" }
func (w waitErr) RetryDelay() time.Duration { return time.Duration(w) }

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		err  error
		want time.Duration
	}{
		{nil, 0},
		{fmt.Errorf("plain"), 0},
		{waitErr(3 * time.Second), 3 * time.Second},
		{&domain.Error{Code: domain.EUNAVAILABLE, Remote: true, Err: waitErr(time.Minute)}, time.Minute},
		{fmt.Errorf("download x: %w", &domain.Error{Code: domain.EUNAVAILABLE, Err: waitErr(2 * time.Second)}), 2 * time.Second},
		{waitErr(-time.Second), 0},
	}
	for _, tt := range tests {
		if got := domain.RetryAfter(tt.err); got != tt.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt     int
		base, limit time.Duration
		jitter      float64
		want        time.Duration
	}{
		{0, time.Second, time.Minute, 0, time.Second},
		{1, time.Second, time.Minute, 0, time.Second},
		{2, time.Second, time.Minute, 0, 2 * time.Second},
		{4, time.Second, time.Minute, 0, 8 * time.Second},
		{7, time.Second, time.Minute, 0, time.Minute}, // 64s capped
		{1000, time.Second, time.Minute, 0, time.Minute},
		{1, 4 * time.Second, time.Minute, 0.5, 4*time.Second + 500*time.Millisecond},
		{1, 4 * time.Second, time.Minute, 0.999, 4*time.Second + 999*time.Millisecond},
		{1, 4 * time.Second, time.Minute, 7, 5 * time.Second}, // jitter clamped
		{3, time.Minute, 24 * time.Hour, 0, 4 * time.Minute},
	}
	for _, tt := range tests {
		if got := domain.Backoff(tt.attempt, tt.base, tt.limit, tt.jitter); got != tt.want {
			t.Errorf("Backoff(%d, %v, %v, %v) = %v, want %v", tt.attempt, tt.base, tt.limit, tt.jitter, got, tt.want)
		}
	}
}

func TestRecordFailure(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	start := domain.SyncFailure{AccountID: 1, Direction: domain.SyncDown, RemotePath: "/P/a.jpg"}
	tests := []struct {
		name     string
		prev     domain.SyncFailure
		limit    int
		wait     time.Duration
		attempts int
		next     time.Duration
		failed   bool
	}{
		{"first failure", start, 5, 0, 1, time.Minute, false},
		{"third failure", func() domain.SyncFailure { f := start; f.Attempts = 2; return f }(), 5, 0, 3, 4 * time.Minute, false},
		{"the server asked for longer", start, 5, time.Hour, 1, time.Hour, false},
		{"limit reached", func() domain.SyncFailure { f := start; f.Attempts = 4; return f }(), 5, 0, 5, 16 * time.Minute, true},
		{"limit 0 fails at once", start, 0, 0, 1, time.Minute, true},
		{"limit 1", start, 1, 0, 1, time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.RecordFailure(tt.prev, "the server is busy", now, tt.limit, tt.wait, 0)
			if got.Attempts != tt.attempts || got.Failed != tt.failed || !got.NextAttemptAt.Equal(now.Add(tt.next)) ||
				!got.LastAttemptAt.Equal(now) || got.LastError != "the server is busy" || got.RemotePath != "/P/a.jpg" {
				t.Fatalf("RecordFailure = %+v; want %d attempts, next in %v, failed %v", got, tt.attempts, tt.next, tt.failed)
			}
		})
	}
}
