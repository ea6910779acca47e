// Package notify sends photosync's alerts: a JSON POST to a plain http(s)
// URL (a webhook), and ntfy, Gotify, SMTP, Matrix, Telegram and the other
// services of github.com/nicholas-fedor/shoutrrr by their URLs.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nicholas-fedor/shoutrrr"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Timeout bounds one notification.
const Timeout = 15 * time.Second

// Notifier is the ports.Notifier of photosync.
type Notifier struct {
	client *http.Client
}

var _ ports.Notifier = (*Notifier)(nil)

// New returns a notifier.
func New() *Notifier {
	return &Notifier{client: &http.Client{Timeout: Timeout}}
}

func isWebhook(u *url.URL) bool {
	return u.Scheme == "http" || u.Scheme == "https"
}

// CheckTarget refuses a URL that names no known service.
func (n *Notifier) CheckTarget(target string) error {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || u.Scheme == "" {
		return domain.Errorf(domain.EINVALID, "%q is not a URL such as https://example.com/hook or ntfy://ntfy.sh/topic", domain.RedactTarget(target))
	}
	if isWebhook(u) {
		if u.Host == "" {
			return domain.Errorf(domain.EINVALID, "the webhook URL %s names no host", domain.RedactTarget(target))
		}
		return nil
	}
	if _, err := shoutrrr.CreateSender(target); err != nil {
		// The library's message may repeat the URL: name the scheme only.
		return domain.Errorf(domain.EINVALID, "%s:// is not a notification service photosync can send to, or its URL is incomplete", u.Scheme)
	}
	return nil
}

// Notify sends a to target.
func (n *Notifier) Notify(ctx context.Context, target string, a domain.Alert) error {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "not a notification URL")
	}
	if isWebhook(u) {
		return n.post(ctx, u, a)
	}
	sender, err := shoutrrr.CreateSender(target)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "%s:// is not a notification service photosync can send to", u.Scheme)
	}
	msg := a.Summary
	if a.Details != "" {
		msg += "\n\n" + a.Details
	}
	done := make(chan []error, 1)
	go func() { done <- sender.Send(msg, &types.Params{"title": "photosync: " + a.Summary}) }()
	select {
	case errs := <-done:
		for _, e := range errs {
			if e != nil {
				return domain.Errorf(domain.EUNAVAILABLE, "%s: the notification was not delivered", domain.RedactTarget(target))
			}
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (n *Notifier) post(ctx context.Context, u *url.URL, a domain.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "%s is not a webhook URL", domain.RedactTarget(u.String()))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "photosync")
	resp, err := n.client.Do(req)
	if err != nil {
		return domain.Errorf(domain.EUNAVAILABLE, "%s cannot be reached", domain.RedactTarget(u.String()))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 {
		return domain.Errorf(domain.EUNAVAILABLE, "%s answered %s", domain.RedactTarget(u.String()), resp.Status)
	}
	return nil
}
