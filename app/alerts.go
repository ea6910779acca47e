package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Setting keys of the alerts.
const (
	settingNotifyTargets = "notify.targets" // the targets set in the UI, sealed
	settingAlertState    = "alerts.state"   // the open incidents, as JSON
)

// Alerter tells people when a backup needs them (docs/backup.md): one
// alert when an incident opens (a sync that stopped, files that failed or
// went missing, a refused password, coverage that dropped, a run waiting
// for confirmation, no successful sync for 3 intervals), one when it is
// resolved, never one per run. Check looks at every account; serve's
// scheduler runs it on every tick, the Lambda schedule after its syncs.
//
// Targets come from PHOTOSYNC_NOTIFY_URL (comma-separated) and from the
// settings (sealed with the SecretBox: a URL may hold a token or a
// password); they are shown back redacted (scheme and host).
type Alerter struct {
	accounts *Accounts
	sync     ports.SyncStore
	backup   *Backup
	settings ports.SettingStore
	box      ports.SecretBox
	notifier ports.Notifier
	clock    ports.Clock
	log      *slog.Logger
	env      []string // PHOTOSYNC_NOTIFY_URL

	mu sync.Mutex // one Check at a time
}

// NewAlerter returns the alerts use case. envTargets are the targets of
// PHOTOSYNC_NOTIFY_URL.
func NewAlerter(accounts *Accounts, sync ports.SyncStore, backup *Backup, settings ports.SettingStore, box ports.SecretBox,
	notifier ports.Notifier, clock ports.Clock, log *slog.Logger, envTargets []string) *Alerter {
	return &Alerter{accounts: accounts, sync: sync, backup: backup, settings: settings, box: box, notifier: notifier,
		clock: clock, log: log, env: envTargets}
}

// AlertTarget is a target as shown back: redacted.
type AlertTarget struct {
	Index   int    // position among the settings' targets; -1 for the environment's
	Shown   string // scheme and host
	FromEnv bool
}

// incident is one open incident.
type incident struct {
	OpenedAt time.Time `json:"opened_at"`
	Summary  string    `json:"summary"`
	Before   float64   `json:"before,omitempty"` // coverage_dropped: the coverage before the drop
}

// alertState is what Check remembers between runs (and restarts).
type alertState struct {
	Open     map[int64]map[domain.AlertKind]incident `json:"open"`
	Coverage map[int64]float64                       `json:"coverage"`
}

func (al *Alerter) loadState(ctx context.Context) (alertState, error) {
	st := alertState{Open: map[int64]map[domain.AlertKind]incident{}, Coverage: map[int64]float64{}}
	v, err := al.settings.Setting(ctx, settingAlertState)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		al.log.WarnContext(ctx, "the alerts' state cannot be read; starting afresh", "err", err)
	}
	if st.Open == nil {
		st.Open = map[int64]map[domain.AlertKind]incident{}
	}
	if st.Coverage == nil {
		st.Coverage = map[int64]float64{}
	}
	return st, nil
}

func (al *Alerter) saveState(ctx context.Context, st alertState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return al.settings.SetSetting(ctx, settingAlertState, string(b))
}

// finding is one condition found true now.
type finding struct {
	summary, details string
	before           float64
}

// Check looks at every account, sends an alert for each incident that
// opened and each that was resolved since the last Check, and returns the
// alerts sent (those whose delivery failed included: they are logged, and
// not tried again; the incident stays as it is).
func (al *Alerter) Check(ctx context.Context) ([]domain.Alert, error) {
	al.mu.Lock()
	defer al.mu.Unlock()
	accs, err := al.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	st, err := al.loadState(ctx)
	if err != nil {
		return nil, err
	}
	now := al.clock.Now()
	var alerts []domain.Alert
	seen := map[int64]bool{}
	for _, a := range accs {
		seen[a.ID] = true
		found, cov, err := al.findings(ctx, a, st, now)
		if err != nil {
			al.log.WarnContext(ctx, "alerts: cannot look at an account", "account", a.ID, "err", err)
			continue
		}
		st.Coverage[a.ID] = cov
		open := st.Open[a.ID]
		if open == nil {
			open = map[domain.AlertKind]incident{}
			st.Open[a.ID] = open
		}
		for _, k := range sortedKinds(found) {
			if _, ok := open[k]; ok {
				continue
			}
			f := found[k]
			open[k] = incident{OpenedAt: now, Summary: f.summary, Before: f.before}
			alerts = append(alerts, domain.Alert{Event: string(k), Kind: k, Account: a.Name, AccountID: a.ID, Summary: f.summary, Details: f.details, At: now})
		}
		for _, k := range sortedKinds(open) {
			if _, still := found[k]; still {
				continue
			}
			inc := open[k]
			delete(open, k)
			alerts = append(alerts, domain.Alert{Event: domain.AlertResolved, Kind: k, Account: a.Name, AccountID: a.ID,
				Summary: resolvedSummary(a.Name, k), Details: fmt.Sprintf("Open since %s: %s", inc.OpenedAt.UTC().Format(time.RFC3339), inc.Summary), At: now})
		}
	}
	for id := range st.Open {
		if !seen[id] { // a removed account: its incidents end silently
			delete(st.Open, id)
			delete(st.Coverage, id)
		}
	}
	if err := al.saveState(ctx, st); err != nil {
		return nil, fmt.Errorf("record the open incidents: %w", err)
	}
	if len(alerts) > 0 {
		targets, err := al.targets(ctx)
		if err != nil {
			return alerts, err
		}
		for _, a := range alerts {
			al.send(ctx, targets, a)
		}
	}
	return alerts, nil
}

func sortedKinds[V any](m map[domain.AlertKind]V) []domain.AlertKind {
	ks := make([]domain.AlertKind, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func resolvedSummary(name string, k domain.AlertKind) string {
	switch k {
	case domain.AlertSyncFailed:
		return fmt.Sprintf("%s: the sync works again", name)
	case domain.AlertGaps:
		return fmt.Sprintf("%s: every file is on the server again", name)
	case domain.AlertPasswordRefused:
		return fmt.Sprintf("%s: the server takes the password again", name)
	case domain.AlertCoverageDropped:
		return fmt.Sprintf("%s: the verified coverage is back", name)
	case domain.AlertNeedsReview:
		return fmt.Sprintf("%s: the held-back sync was confirmed", name)
	case domain.AlertNoSuccess:
		return fmt.Sprintf("%s: a sync succeeded again", name)
	}
	return fmt.Sprintf("%s: %s resolved", name, k)
}

// findings returns the conditions true of an account now, and its
// coverage.
func (al *Alerter) findings(ctx context.Context, a domain.Account, st alertState, now time.Time) (map[domain.AlertKind]finding, float64, error) {
	found := map[domain.AlertKind]finding{}
	switch a.Status {
	case domain.StatusUnauthorized:
		found[domain.AlertPasswordRefused] = finding{summary: fmt.Sprintf("%s refused photosync's password", a.Name),
			details: "Syncs and uploads to this server wait until the password is fixed (Settings → Backup → the server → Edit)."}
	case domain.StatusNeedsReview:
		found[domain.AlertNeedsReview] = finding{summary: fmt.Sprintf("%s: a sync waits for your confirmation", a.Name),
			details: "It would replace more files than PHOTOSYNC_MAX_CHANGES allows: look at its plan and confirm it."}
	}
	runs, err := al.sync.Runs(ctx, a.ID, 20)
	if err != nil {
		return nil, 0, err
	}
	var last, lastOK *domain.SyncRun
	for i := range runs {
		r := &runs[i]
		if r.DryRun || r.FinishedAt.IsZero() {
			continue
		}
		if last == nil {
			last = r
		}
		if lastOK == nil && r.Error == "" && r.Complete {
			lastOK = r
		}
	}
	if last != nil && last.Error != "" && a.Status != domain.StatusUnauthorized {
		found[domain.AlertSyncFailed] = finding{summary: fmt.Sprintf("%s: the sync failed", a.Name), details: last.Error}
	}
	if a.SyncEnabled && a.SyncInterval > 0 {
		since := a.CreatedAt
		if lastOK != nil {
			since = lastOK.FinishedAt
		}
		if !since.IsZero() && now.Sub(since) > 3*a.SyncInterval {
			found[domain.AlertNoSuccess] = finding{summary: fmt.Sprintf("%s: no successful sync since %s", a.Name, since.UTC().Format("2006-01-02 15:04 UTC")),
				details: fmt.Sprintf("The sync runs every %s; the last three intervals passed without a successful run.", a.SyncInterval)}
		}
	}
	status, err := al.backup.Status(ctx, a.ID)
	if err != nil {
		return nil, 0, err
	}
	if status.Failed > 0 {
		var lines []string
		for _, g := range status.Gaps() {
			if g.State == domain.BackupFailed && len(lines) < 10 {
				lines = append(lines, g.Path+": "+g.Reason)
			}
		}
		found[domain.AlertGaps] = finding{summary: fmt.Sprintf("%s: %d %s not safely on the server", a.Name, status.Failed, plural(status.Failed, "file", "files")),
			details: strings.Join(lines, "\n")}
	}
	cov := status.Coverage()
	if inc, open := st.Open[a.ID][domain.AlertCoverageDropped]; open {
		if cov < inc.Before {
			found[domain.AlertCoverageDropped] = finding{summary: inc.Summary, before: inc.Before}
		}
	} else if prev, ok := st.Coverage[a.ID]; ok && cov < prev-0.005 {
		found[domain.AlertCoverageDropped] = finding{before: prev,
			summary: fmt.Sprintf("%s: verified coverage dropped from %.1f%% to %.1f%%", a.Name, prev*100, cov*100),
			details: fmt.Sprintf("%d of %d files verified.", status.Verified, status.Files)}
	}
	return found, cov, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// send delivers one alert to every target; failures are logged without
// the target's URL.
func (al *Alerter) send(ctx context.Context, targets []string, a domain.Alert) []error {
	var errs []error
	for _, t := range targets {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := al.notifier.Notify(sctx, t, a)
		cancel()
		if err != nil {
			al.log.WarnContext(ctx, "an alert was not delivered", "target", domain.RedactTarget(t), "event", a.Event, "account", a.AccountID, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", domain.RedactTarget(t), err))
		}
	}
	if len(targets) > 0 {
		al.log.InfoContext(ctx, "alert sent", "event", a.Event, "account", a.AccountID, "summary", a.Summary)
	}
	return errs
}

// targets returns every target: the environment's, then the settings'.
func (al *Alerter) targets(ctx context.Context) ([]string, error) {
	saved, err := al.saved(ctx)
	return append(slices.Clone(al.env), saved...), err
}

func (al *Alerter) saved(ctx context.Context) ([]string, error) {
	v, err := al.settings.Setting(ctx, settingNotifyTargets)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && v == "") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sealed, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("the notification targets: %w", err)
	}
	plain, err := al.box.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("the notification targets cannot be decrypted (another secret key?): %w", err)
	}
	var out []string
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("the notification targets: %w", err)
	}
	return out, nil
}

// Targets returns the targets, redacted.
func (al *Alerter) Targets(ctx context.Context) ([]AlertTarget, error) {
	saved, err := al.saved(ctx)
	if err != nil {
		return nil, err
	}
	var out []AlertTarget
	for _, t := range al.env {
		out = append(out, AlertTarget{Index: -1, Shown: domain.RedactTarget(t), FromEnv: true})
	}
	for i, t := range saved {
		out = append(out, AlertTarget{Index: i, Shown: domain.RedactTarget(t)})
	}
	return out, nil
}

// AddTarget checks a target URL and stores it, sealed.
func (al *Alerter) AddTarget(ctx context.Context, target string) error {
	target = strings.TrimSpace(target)
	if err := al.notifier.CheckTarget(target); err != nil {
		return err
	}
	saved, err := al.saved(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(saved, target) || slices.Contains(al.env, target) {
		return domain.Errorf(domain.ECONFLICT, "this target is set already")
	}
	return al.store(ctx, append(saved, target))
}

// RemoveTarget forgets the settings' target at index. ENOTFOUND.
func (al *Alerter) RemoveTarget(ctx context.Context, index int) error {
	saved, err := al.saved(ctx)
	if err != nil {
		return err
	}
	if index < 0 || index >= len(saved) {
		return domain.Errorf(domain.ENOTFOUND, "notification target %d not found", index)
	}
	return al.store(ctx, slices.Delete(saved, index, index+1))
}

func (al *Alerter) store(ctx context.Context, targets []string) error {
	plain, err := json.Marshal(targets)
	if err != nil {
		return err
	}
	sealed, err := al.box.Seal(plain)
	if err != nil {
		return err
	}
	return al.settings.SetSetting(ctx, settingNotifyTargets, base64.StdEncoding.EncodeToString(sealed))
}

// Test sends a test alert to every target and returns the targets
// (redacted) that failed with why. EINVALID when there is no target.
func (al *Alerter) Test(ctx context.Context) (sent int, failed []error, err error) {
	targets, err := al.targets(ctx)
	if err != nil {
		return 0, nil, err
	}
	if len(targets) == 0 {
		return 0, nil, domain.Errorf(domain.EINVALID, "no notification target is set: add one, or set PHOTOSYNC_NOTIFY_URL")
	}
	a := domain.Alert{Event: domain.AlertTest, Summary: "photosync test notification", Details: "Alerts from photosync reach you here.", At: al.clock.Now()}
	failed = al.send(ctx, targets, a)
	return len(targets) - len(failed), failed, nil
}

// ParseNotifyURLs splits PHOTOSYNC_NOTIFY_URL.
func ParseNotifyURLs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
