package domain

import (
	"net/url"
	"strings"
	"time"
)

// AlertKind is what needs a person's attention.
type AlertKind string

// Alert kinds: one incident of each kind per account at a time.
const (
	AlertSyncFailed      AlertKind = "sync_failed"      // the last sync run stopped with an error
	AlertGaps            AlertKind = "backup_gaps"      // files failed to reach the server, or a verify found them missing or changed
	AlertPasswordRefused AlertKind = "password_refused" // the server refused the account's credentials
	AlertCoverageDropped AlertKind = "coverage_dropped" // fewer of the files are verified than before
	AlertNeedsReview     AlertKind = "needs_review"     // a run hit the mass-change guard and waits for confirmation
	AlertNoSuccess       AlertKind = "no_success"       // no successful sync for 3 intervals
)

// Alert events besides the kinds, which open an incident.
const (
	AlertResolved = "resolved" // an incident is over
	AlertTest     = "test"     // "Send a test"
)

// Alert is one notification: {"event", "account", "summary", "details",
// "at"} in JSON.
type Alert struct {
	Event     string    `json:"event"`   // an AlertKind, AlertResolved or AlertTest
	Account   string    `json:"account"` // the account's name ("" for a test)
	AccountID int64     `json:"account_id,omitempty"`
	Kind      AlertKind `json:"kind,omitempty"` // for resolved: the kind of incident that ended
	Summary   string    `json:"summary"`
	Details   string    `json:"details"`
	At        time.Time `json:"at"`
}

// RedactTarget shows a notification target without what may be secret in
// it: its scheme and host only ("ntfy://ntfy.sh/…"); "" for a URL that
// cannot be read.
func RedactTarget(target string) string {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || u.Scheme == "" {
		return ""
	}
	s := u.Scheme + "://" + u.Hostname()
	if u.Port() != "" {
		s += ":" + u.Port()
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		s += "/…"
	}
	return s
}
