package cli

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestStatusLine(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := domain.BackupStatus{Files: 12402, LastVerifiedAt: now.Add(-2 * time.Hour), OldestVerifiedAt: now.Add(-3 * time.Hour)}
	st.Verified, st.Pending = 12340, 62
	if got, want := statusLine("Nextcloud", st, now), "Nextcloud: 12,340 of 12,402 photos verified (99.5%), 62 pending, last verified 2 h ago"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	st = domain.BackupStatus{Files: 3}
	st.Verified, st.Failed, st.Unverified = 0, 1, 2
	if got, want := statusLine("nas", st, now), "nas: 0 of 3 photos verified (0%), 2 unverified, 1 failed, never verified"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	st = domain.BackupStatus{Files: 1000, LastVerifiedAt: now.Add(-time.Minute), OldestVerifiedAt: now.Add(-40 * 24 * time.Hour)}
	st.Verified, st.Pending = 999, 1
	if got, want := statusLine("a", st, now), "a: 999 of 1,000 photos verified (99.9%), 1 pending, last verified 1 min ago (oldest proof 40 days ago)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
