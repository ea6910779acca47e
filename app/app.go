package app

import (
	"log/slog"
	"time"

	"github.com/photosync/photosync/ports"
)

// App is photosync's use cases, built once by New over the ports. Every
// entry point takes it: the HTTP API (`photosync serve` and Lambda), the
// command line, the Lambda handler and serve's scheduler loop. Its
// fields are the services; they call each other, never through the App.
type App struct {
	Accounts   *Accounts
	Auth       *Auth
	LoginFlows *LoginFlows
	Jobs       *Jobs
	Indexer    *Indexer
	Photos     *Photos
	Uploader   *Uploader
	Syncer     *Syncer
	Versions   *Versions
	Watch      *Watch
	Backup     *Backup
	Verifier   *Verifier
	Restorer   *Restorer
	Alerter    *Alerter
	// Scheduler starts the due work; its Loop is serve's one loop of
	// every ticker (index, sync, verify, expiry, versions, alerts).
	Scheduler *Scheduler
	Clock     ports.Clock
	Log       *slog.Logger
}

// Ports are the outbound adapters the App drives. Thumbnails, Watcher and
// LoginFlowClient may be nil: no thumbnails, no library watcher (App.Watch
// is nil), no Nextcloud Login Flow (App.LoginFlows is nil). Notifier may be nil only where no
// alert target is ever set.
type Ports struct {
	Accounts        ports.AccountStore
	Sessions        ports.SessionStore
	Settings        ports.SettingStore
	Jobs            ports.JobStore
	Library         ports.LibraryStore
	Uploads         ports.UploadStore
	Sync            ports.SyncStore
	Leases          ports.LeaseStore
	Proofs          ports.ProofStore
	Secrets         ports.SecretBox
	Connector       ports.Connector
	LoginFlowClient ports.LoginFlowClient
	Files           ports.Library // the library folder
	Writer          ports.LibraryWriter
	Versions        ports.VersionStore
	Inspector       ports.MediaInspector
	Checker         ports.ContentChecker
	Thumbnails      ports.Thumbnailer
	Resizer         ports.Resizer
	Watcher         ports.LibraryWatcher
	Notifier        ports.Notifier
	Clock           ports.Clock
	Log             *slog.Logger
}

// Settings are how the App runs; the zero value of each is its default.
type Settings struct {
	// AdminPassword is PHOTOSYNC_ADMIN_PASSWORD ("" keeps the stored or
	// generated one).
	AdminPassword AdminPassword
	Sync          SyncConfig
	Watch         WatchConfig
	Versions      VersionsConfig
	Verify        VerifyConfig
	// NotifyURLs are the alert targets of the environment.
	NotifyURLs []string
	// IndexEvery is how often the scheduler's loop indexes the library
	// (at its start and never again when 0).
	IndexEvery time.Duration
	// UploadRetryDelay, when set, is the Uploader's wait between tries.
	UploadRetryDelay time.Duration
}

// New builds the App. Close stops its jobs.
func New(p Ports, s Settings) *App {
	a := &App{Clock: p.Clock, Log: p.Log}
	a.Jobs = NewJobs(p.Jobs, p.Clock, p.Log)
	a.Accounts = NewAccounts(p.Accounts, p.Secrets, p.Connector, p.Clock, p.Log)
	a.Auth = NewAuth(p.Sessions, p.Settings, p.Clock, p.Log, s.AdminPassword)
	if p.LoginFlowClient != nil {
		a.LoginFlows = NewLoginFlows(p.LoginFlowClient, a.Accounts, p.Clock, p.Log)
	}
	a.Indexer = NewIndexer(p.Files, p.Library, p.Inspector, p.Clock, p.Log)
	a.Photos = NewPhotos(p.Library, p.Thumbnails, p.Uploads)
	a.Uploader = NewUploader(a.Accounts, p.Files, p.Library, p.Uploads, p.Resizer, p.Clock, p.Log)
	a.Uploader.Verify = s.Sync.Verify
	a.Uploader.Proofs = p.Proofs
	if s.UploadRetryDelay > 0 {
		a.Uploader.RetryDelay = s.UploadRetryDelay
	}
	a.Versions = NewVersions(p.Versions, p.Clock, p.Log, s.Versions)
	a.Syncer = NewSyncer(SyncDeps{Jobs: a.Jobs, Accounts: a.Accounts, Indexer: a.Indexer, Library: p.Library, Writer: p.Writer,
		Lib: p.Files, Store: p.Sync, Leases: p.Leases, Inspector: p.Inspector, Checker: p.Checker, Versions: p.Versions,
		Uploads: p.Uploads, Proofs: p.Proofs, Clock: p.Clock, Log: p.Log}, s.Sync)
	if p.Watcher != nil {
		a.Watch = NewWatch(p.Watcher, a.Accounts, a.Syncer, a.Jobs, p.Clock, p.Log, s.Watch)
	}
	a.Backup = NewBackup(a.Accounts, p.Library, p.Sync, p.Uploads, p.Proofs, s.Sync)
	a.Verifier = NewVerifier(a.Backup, a.Syncer, s.Verify)
	a.Restorer = NewRestorer(a.Backup, a.Syncer)
	a.Alerter = NewAlerter(a.Accounts, p.Sync, a.Backup, p.Settings, p.Secrets, p.Notifier, p.Clock, p.Log, s.NotifyURLs)
	sc := NewScheduler(a.Accounts, a.Syncer, a.Jobs, p.Clock, p.Log)
	sc.Indexer, sc.IndexEvery = a.Indexer, s.IndexEvery
	sc.Uploader, sc.Versions, sc.Watch, sc.Verifier, sc.Alerter = a.Uploader, a.Versions, a.Watch, a.Verifier, a.Alerter
	a.Scheduler = sc
	return a
}

// Close stops the App's jobs and waits for them to record how they ended
// (see Jobs.Close).
func (a *App) Close() { a.Jobs.Close() }

// FanOut returns the fan-out of the due syncs through queue (Lambda with
// a sync queue).
func (a *App) FanOut(queue ports.SyncQueue) *FanOut {
	return NewFanOut(a.Scheduler, a.Syncer, queue, a.Clock, a.Log)
}
