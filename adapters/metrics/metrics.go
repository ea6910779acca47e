// Package metrics serves photosync's figures in the Prometheus text
// format at GET /metrics (docs/backup.md): the backup status of every
// account, when each last succeeded, what moved, how long jobs took and
// how many failed. Accounts are labelled by ID only, never by name or URL.
package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Source gives the figures read at each scrape, and the sync run of a
// job.
type Source interface {
	Metrics(ctx context.Context) ([]app.AccountMetrics, error)
	SyncRunOf(ctx context.Context, accountID, jobID int64) (domain.SyncRun, bool)
}

// Metrics is the registry behind /metrics.
type Metrics struct {
	src      Source
	token    string
	log      *slog.Logger
	reg      *prometheus.Registry
	files    *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	failures *prometheus.CounterVec
}

var (
	backupFiles = prometheus.NewDesc("photosync_backup_files",
		"Library files an account backs up, by backup state (verified, unverified, pending, failed, excluded).",
		[]string{"account", "state"}, nil)
	backupBytes = prometheus.NewDesc("photosync_backup_bytes",
		"Size of the library files an account backs up (every state but excluded).", []string{"account"}, nil)
	coverage = prometheus.NewDesc("photosync_backup_coverage_ratio",
		"Share of the files an account backs up whose content is verified on the server (0 to 1).", []string{"account"}, nil)
	oldestProof = prometheus.NewDesc("photosync_backup_oldest_proof_timestamp_seconds",
		"When the oldest proof of a verified file was made (Unix time); absent when nothing is verified.", []string{"account"}, nil)
	lastSuccess = prometheus.NewDesc("photosync_last_success_timestamp_seconds",
		"When the last sync, verify or manual upload of an account succeeded (Unix time); absent when never.",
		[]string{"account", "kind"}, nil)
	scrapeError = prometheus.NewDesc("photosync_metrics_scrape_error",
		"1 when the backup figures could not be read at this scrape.", nil, nil)
)

// New returns the metrics of src; token, when not empty, is the bearer
// token a scrape must present.
func New(src Source, token string, log *slog.Logger) *Metrics {
	m := &Metrics{src: src, token: token, log: log, reg: prometheus.NewRegistry()}
	m.files = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "photosync_transferred_files_total",
		Help: "Files moved by jobs that ended in this process, by direction (up: to a server, down: into the library)."}, []string{"direction"})
	m.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "photosync_transferred_bytes_total",
		Help: "Bytes moved by jobs that ended in this process, by direction."}, []string{"direction"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "photosync_job_duration_seconds",
		Help:    "How long jobs ran, by kind (index, upload, sync, verify, restore).",
		Buckets: []float64{1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600}}, []string{"kind"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "photosync_job_failures_total",
		Help: "Jobs that failed (state failed) or ended with some files failed (state partial), by kind."}, []string{"kind", "state"})
	m.reg.MustRegister(m.files, m.bytes, m.duration, m.failures, collector{m})
	return m
}

// Watch counts the jobs of jobs as they end, until the returned function
// is called.
func (m *Metrics) Watch(jobs *app.Jobs) func() {
	updates, stop := jobs.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range updates {
			if j.State.Ended() {
				m.observe(j)
			}
		}
	}()
	return func() {
		stop()
		<-done
	}
}

// observe counts one job that ended.
func (m *Metrics) observe(j domain.Job) {
	kind := string(j.Kind)
	if !j.StartedAt.IsZero() && !j.FinishedAt.IsZero() {
		m.duration.WithLabelValues(kind).Observe(j.FinishedAt.Sub(j.StartedAt).Seconds())
	}
	if j.State == domain.JobFailed || j.State == domain.JobPartial {
		m.failures.WithLabelValues(kind, string(j.State)).Inc()
	}
	m.files.WithLabelValues("up").Add(float64(j.Uploaded))
	m.files.WithLabelValues("down").Add(float64(j.Downloaded))
	switch j.Kind {
	case domain.JobUpload:
		m.bytes.WithLabelValues("up").Add(float64(j.BytesDone))
	case domain.JobRestore:
		m.bytes.WithLabelValues("down").Add(float64(j.BytesDone))
	case domain.JobSync:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if r, ok := m.src.SyncRunOf(ctx, j.AccountID, j.ID); ok {
			m.bytes.WithLabelValues("up").Add(float64(r.BytesUp))
			m.bytes.WithLabelValues("down").Add(float64(r.BytesDown))
		}
	}
}

// Handler serves the metrics, asking for the bearer token when one is
// set.
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: nil})
	if m.token == "" {
		return h
	}
	want := []byte("Bearer " + m.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="photosync metrics"`)
			http.Error(w, "metrics need the bearer token of PHOTOSYNC_METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// collector reads the backup figures at each scrape.
type collector struct{ m *Metrics }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{backupFiles, backupBytes, coverage, oldestProof, lastSuccess, scrapeError} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all, err := c.m.src.Metrics(ctx)
	failed := 0.0
	if err != nil {
		failed = 1
		c.m.log.Warn("metrics: cannot read the backup figures", "err", err)
	}
	ch <- prometheus.MustNewConstMetric(scrapeError, prometheus.GaugeValue, failed)
	for _, a := range all {
		id := strconv.FormatInt(a.AccountID, 10)
		s := a.Status
		for state, n := range map[domain.BackupState]int{domain.BackupVerified: s.Verified, domain.BackupUnverified: s.Unverified,
			domain.BackupPending: s.Pending, domain.BackupFailed: s.Failed, domain.BackupExcluded: s.Excluded} {
			ch <- prometheus.MustNewConstMetric(backupFiles, prometheus.GaugeValue, float64(n), id, string(state))
		}
		ch <- prometheus.MustNewConstMetric(backupBytes, prometheus.GaugeValue, float64(s.Bytes), id)
		ch <- prometheus.MustNewConstMetric(coverage, prometheus.GaugeValue, s.Coverage(), id)
		if !s.OldestVerifiedAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(oldestProof, prometheus.GaugeValue, unix(s.OldestVerifiedAt), id)
		}
		for kind, t := range map[string]time.Time{"sync": a.LastSync, "verify": a.LastVerify, "upload": a.LastUpload} {
			if !t.IsZero() {
				ch <- prometheus.MustNewConstMetric(lastSuccess, prometheus.GaugeValue, unix(t), id, kind)
			}
		}
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
