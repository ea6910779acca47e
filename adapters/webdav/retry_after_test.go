package webdav_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// TestRetryAfterReachesTheDomain: a busy server's Retry-After, in seconds
// or as a date, is what domain.RetryAfter reads from the error of any
// operation; an answer without one gives 0.
func TestRetryAfterReachesTheDomain(t *testing.T) {
	var retry string
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	c := openFake(t, url, domain.TypeWebDAV)
	ctx := context.Background()
	ops := map[string]func() error{
		"download": func() error { _, _, err := c.Download(ctx, "/a.jpg"); return err },
		"upload":   func() error { return c.Upload(ctx, "/a.jpg", strings.NewReader("abc"), 3, domain.UploadMeta{}) },
		"list":     func() error { _, err := c.List(ctx, "/"); return err },
	}
	for _, tt := range []struct {
		header   string
		min, max time.Duration
	}{
		{"7", 7 * time.Second, 7 * time.Second},
		{time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), 80 * time.Second, 91 * time.Second},
		{"", 0, 0},
	} {
		retry = tt.header
		for name, op := range ops {
			err := op()
			if domain.ErrorCode(err) != domain.EUNAVAILABLE {
				t.Fatalf("%s with Retry-After %q: %v, want EUNAVAILABLE", name, tt.header, err)
			}
			if got := domain.RetryAfter(err); got < tt.min || got > tt.max {
				t.Errorf("%s with Retry-After %q: RetryAfter = %v, want %v to %v", name, tt.header, got, tt.min, tt.max)
			}
		}
	}
}
