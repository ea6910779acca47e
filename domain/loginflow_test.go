package domain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestLoginFlowExpiry(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f := domain.NewLoginFlow("id", "https://cloud.example.com/", domain.LoginFlowStart{PollToken: "tok"}, start)
	for _, c := range []struct {
		after   time.Duration
		expired bool
	}{
		{0, false}, {19*time.Minute + 59*time.Second, false}, {20 * time.Minute, true}, {time.Hour, true},
	} {
		if got := f.Expired(start.Add(c.after)); got != c.expired {
			t.Errorf("Expired after %v = %v, want %v", c.after, got, c.expired)
		}
	}
	if f.State != domain.LoginPending || !f.ExpiresAt.Equal(start.Add(domain.LoginFlowTTL)) {
		t.Fatalf("new flow %+v", f)
	}
	if p := f.Public(); p.Start.PollToken != "" || p.Start.PollEndpoint != "" || f.Start.PollToken != "tok" {
		t.Fatalf("Public kept the poll token or changed the flow: %+v / %+v", p, f)
	}
}

func TestSecretDoesNotShow(t *testing.T) {
	s := domain.Secret("hunter2-secret")
	g := domain.LoginGrant{LoginName: "alice", AppPassword: s}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("grant", "grant", g, "password", s)
	js, _ := json.Marshal(g)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", g, g, g, s), logs.String(), string(js)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("the secret shows: %s", out)
		}
	}
	if s.Reveal() != "hunter2-secret" {
		t.Fatalf("Reveal = %q", s.Reveal())
	}
}

func TestShareOptions(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		expiry, password string
		wantDate, err    string
	}{
		{"", "", "", ""},
		{"2026-11-28", "correct horse", "2026-11-28", ""},
		{" 2027-01-01 ", "", "2027-01-01", ""},
		{"2026-11-27", "", "", "choose a day after today"},
		{"2026-11-26", "", "", "choose a day after today"},
		{"27.11.2026", "", "", "YYYY-MM-DD"},
		{"2026-02-30", "", "", "YYYY-MM-DD"},
		{"", "line\nbreak", "", "share password"},
		{"", strings.Repeat("x", domain.MaxSharePasswordLength+1), "", "share password"},
	} {
		exp, err := domain.ParseShareExpiry(c.expiry)
		o := domain.ShareOptions{Expires: exp, Password: domain.Secret(c.password)}
		if err == nil {
			err = o.Normalize(now)
		}
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q %q: %v", c.expiry, c.password, err)
		case c.err != "" && (domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), c.err)):
			t.Errorf("%q %q: %v, want EINVALID %q", c.expiry, c.password, err, c.err)
		case c.err == "" && o.ExpiryDate() != c.wantDate:
			t.Errorf("%q: date %q, want %q", c.expiry, o.ExpiryDate(), c.wantDate)
		}
	}
}
