package main

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// scrape reads /metrics with the bearer token (none for ""), and parses
// it with Prometheus's own text parser.
func scrape(t *testing.T, base, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return res.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("the Prometheus text parser refuses /metrics: %v", err)
	}
	return res.StatusCode, fams
}

// value returns the value of the sample of family name whose labels
// include want, and whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsShowTheBackupStatus: /metrics is bearer-protected with
// PHOTOSYNC_METRICS_TOKEN and, parsed by Prometheus's text parser, holds
// the numbers of GET .../backup, the last success of the sync, what moved
// and how long the sync took; accounts are labelled by ID, never by name.
func TestMetricsShowTheBackupStatus(t *testing.T) {
	lib := uiLibrary(t)
	dav := davtest.StartRclone(t)
	in := startServe(t, t.TempDir(), map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-m", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn", "PHOTOSYNC_METRICS_TOKEN": "scrape-me",
	})
	in.login("admin-m")
	var acc account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "secret-nas-name", "url": dav.URL, "username": dav.Username, "password": dav.Password,
		"sync_enabled": true, "sync_folder": "/Photos", "sync_video": false}, &acc); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	in.runJob(fmt.Sprintf("/api/v1/accounts/%d/sync", acc.ID), map[string]any{})
	v := in.backup(acc.ID)

	if st, _ := scrape(t, in.url, ""); st != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", st)
	}
	if st, _ := scrape(t, in.url, "wrong"); st != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d, want 401", st)
	}
	// The job's end reaches the counters through the job events: poll.
	var fams map[string]*dto.MetricFamily
	waitFor(t, "the sync counted in /metrics", func() bool {
		var st int
		st, fams = scrape(t, in.url, "scrape-me")
		n, _ := value(fams, "photosync_job_duration_seconds", map[string]string{"kind": "sync"})
		return st == 200 && n >= 1
	})
	id := strconv.FormatInt(acc.ID, 10)
	for state, want := range map[string]int{"verified": v.Verified, "unverified": v.Unverified, "pending": v.Pending, "failed": v.Failed, "excluded": v.Excluded} {
		got, ok := value(fams, "photosync_backup_files", map[string]string{"account": id, "state": state})
		if !ok || int(got) != want {
			t.Errorf("photosync_backup_files{state=%q} = %v (%v), the API says %d", state, got, ok, want)
		}
	}
	if v.Excluded == 0 {
		t.Errorf("the video with video off should be excluded: %+v", v)
	}
	if ts, ok := value(fams, "photosync_last_success_timestamp_seconds", map[string]string{"account": id, "kind": "sync"}); !ok || ts < 1e9 {
		t.Errorf("last sync success = %v, %v", ts, ok)
	}
	if n, ok := value(fams, "photosync_transferred_files_total", map[string]string{"direction": "up"}); !ok || int(n) != v.Verified {
		t.Errorf("files up = %v (%v), want the %d uploaded", n, ok, v.Verified)
	}
	if n, ok := value(fams, "photosync_transferred_bytes_total", map[string]string{"direction": "up"}); !ok || int64(n) != v.Bytes {
		t.Errorf("bytes up = %v (%v), want %d", n, ok, v.Bytes)
	}
	if n, ok := value(fams, "photosync_job_duration_seconds", map[string]string{"kind": "sync"}); !ok || n != 1 {
		t.Errorf("sync durations observed = %v (%v), want 1", n, ok)
	}
	for _, f := range fams {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetValue() == "secret-nas-name" || l.GetValue() == dav.URL {
					t.Errorf("%s is labelled with the account's name or URL", f.GetName())
				}
			}
		}
	}
}
