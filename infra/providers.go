package infra

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/google/wire"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/fswatch"
	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/metrics"
	"github.com/photosync/photosync/adapters/notify"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webui"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/ports"
)

// Version is photosync's version, set at build time with
// -ldflags "-X github.com/photosync/photosync/infra.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// CoreSet provides the use cases and the adapters they drive.
var CoreSet = wire.NewSet(
	provideSecretBox, wire.Bind(new(ports.SecretBox), new(*secrets.Box)),
	provideConnector, wire.Bind(new(ports.Connector), new(*webdav.Connector)),
	wire.Struct(new(system.Clock)), wire.Bind(new(ports.Clock), new(system.Clock)),
	provideAdminPassword,
	app.NewAccounts,
	wire.Bind(new(ports.LoginFlowClient), new(*webdav.Connector)),
	app.NewLoginFlows,
	app.NewAuth,
	provideJobs,
	provideLibrary, wire.Bind(new(ports.Library), new(*localfs.Library)),
	provideLibraryWriter, wire.Bind(new(ports.LibraryWriter), new(*localfs.Writer)),
	provideVersionStore, wire.Bind(new(ports.VersionStore), new(*localfs.VersionStore)),
	provideVersionsConfig, app.NewVersions,
	media.NewInspector, wire.Bind(new(ports.MediaInspector), new(*media.Inspector)),
	media.NewChecker, wire.Bind(new(ports.ContentChecker), new(*media.Checker)),
	provideThumbnails, wire.Bind(new(ports.Thumbnailer), new(*media.Thumbnails)),
	media.NewResizer, wire.Bind(new(ports.Resizer), new(*media.Resizer)),
	app.NewIndexer,
	provideUploader,
	provideSyncConfig,
	wire.Struct(new(app.SyncDeps), "*"),
	app.NewSyncer,
	provideLibraryWatcher, wire.Bind(new(ports.LibraryWatcher), new(*fswatch.Watcher)),
	provideWatchConfig, app.NewWatch,
	app.NewBackup,
	provideVerifier,
	app.NewRestorer,
	notify.New, wire.Bind(new(ports.Notifier), new(*notify.Notifier)),
	provideAlerter,
	newScheduler,
	app.NewPhotos,
)

// HTTPSet provides the API and web UI, for serve and for Lambda.
var HTTPSet = wire.NewSet(
	wire.Struct(new(httpapi.Deps), "*"),
	provideVersion,
	provideTrustProxy,
	webui.Assets,
	provideMetrics,
	httpapi.New,
)

// ServerSet provides the HTTP server.
var ServerSet = wire.NewSet(
	HTTPSet,
	wire.Struct(new(Server), "Handler", "Auth", "Log", "Jobs", "Indexer", "Scheduler", "Watch"),
)

// CLISet provides the services of the command line.
var CLISet = wire.NewSet(wire.Struct(new(cli.Services), "*"))

// provideSecretBox uses PHOTOSYNC_SECRET_KEY, else the key file in the
// data folder, created on first start.
func provideSecretBox(cfg Config) (*secrets.Box, error) {
	if cfg.SecretKey != "" {
		key, err := secrets.ParseKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("PHOTOSYNC_SECRET_KEY: %w", err)
		}
		return secrets.NewBoxFrom(key, secrets.SourceEnv)
	}
	path := filepath.Join(cfg.DataDir, secrets.KeyFileName)
	key, err := secrets.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, err
	}
	return secrets.NewBoxFrom(key, secrets.SourceKeyFile(path))
}

// newScheduler is app.NewScheduler that also removes expired uploads on
// every tick, and old versions once an hour.
func newScheduler(accounts *app.Accounts, syncer *app.Syncer, jobs *app.Jobs, uploader *app.Uploader, versions *app.Versions,
	watch *app.Watch, verifier *app.Verifier, alerter *app.Alerter, clock ports.Clock, log *slog.Logger) *app.Scheduler {
	s := app.NewScheduler(accounts, syncer, jobs, clock, log)
	s.Uploader = uploader
	s.Versions = versions
	s.Watch = watch // answers no-change runs only while `serve` runs it
	s.Verifier = verifier
	s.Alerter = alerter
	return s
}

// provideLibraryWatcher watches the library folder (serve starts it).
func provideLibraryWatcher(cfg Config) *fswatch.Watcher { return fswatch.New(cfg.Library) }

// provideWatchConfig is the watcher's quiet period; the download folder's
// changes are the syncs' own.
func provideWatchConfig(cfg Config) app.WatchConfig {
	return app.WatchConfig{Delay: cfg.WatchDelay, DownloadFolder: cfg.DownloadFolder}
}

// provideConnector reaches WebDAV servers with the configured chunk size
// for Nextcloud uploads, and bulk upload on or off (off by default: PUTs
// keeping the session were measured as fast or faster, docs/performance.md).
func provideConnector(log *slog.Logger, cfg Config) *webdav.Connector {
	return webdav.NewConnectorWithOptions(log, webdav.Options{ChunkSize: cfg.ChunkSize, BulkUpload: cfg.BulkUpload})
}

func provideLibrary(cfg Config) *localfs.Library { return localfs.NewLibrary(cfg.Library) }

// provideLibraryWriter writes into the configured library folder.
func provideLibraryWriter(cfg Config) *localfs.Writer { return localfs.NewWriter(cfg.Library) }

// provideUploader proves uploads as PHOTOSYNC_VERIFY says.
func provideUploader(accounts *app.Accounts, library ports.Library, store ports.LibraryStore, uploads ports.UploadStore,
	resizer ports.Resizer, clock ports.Clock, log *slog.Logger, cfg Config, proofs ports.ProofStore) *app.Uploader {
	u := app.NewUploader(accounts, library, store, uploads, resizer, clock, log)
	u.Verify = cfg.Verify
	u.Proofs = proofs
	return u
}

// provideVersionStore keeps replaced library files in the library's
// versions area.
func provideVersionStore(cfg Config, clock ports.Clock) *localfs.VersionStore {
	return localfs.NewVersionStore(cfg.Library, clock)
}

func provideVersionsConfig(cfg Config) app.VersionsConfig {
	return app.VersionsConfig{Keep: cfg.KeepVersions}
}

// provideThumbnails caches thumbnails in the data folder, with video
// frames from ffmpeg when there is one (see ffmpegPath).
func provideThumbnails(cfg Config) *media.Thumbnails {
	return media.NewThumbnails(cfg.Library, filepath.Join(cfg.DataDir, "thumbs"), media.WithFFmpeg(ffmpegPath(cfg.FFmpeg)))
}

// ffmpegPath is the ffmpeg program to run: the configured one, "" for
// "off", else ffmpeg on PATH when there is one.
func ffmpegPath(configured string) string {
	switch strings.ToLower(configured) {
	case "off", "none", "false":
		return ""
	case "":
		p, err := exec.LookPath("ffmpeg")
		if err != nil {
			return ""
		}
		return p
	}
	return configured
}

// provideJobs returns the job runner; the cleanup stops its jobs.
func provideJobs(store ports.JobStore, clock ports.Clock, log *slog.Logger) (*app.Jobs, func()) {
	jobs := app.NewJobs(store, clock, log)
	return jobs, jobs.Close
}

func provideAdminPassword(cfg Config) app.AdminPassword { return app.AdminPassword(cfg.AdminPassword) }

func provideVersion() string { return version() }

func provideTrustProxy(cfg Config) httpapi.TrustProxy { return httpapi.TrustProxy(cfg.TrustProxy) }

// provideSyncConfig names this process as a lease holder. The random part
// keeps two Lambda instances (same host name, same PID 1-ish) apart: a
// lease renewed by "the same holder" must really be this process.
func provideSyncConfig(cfg Config) app.SyncConfig {
	host, _ := os.Hostname()
	var nonce [4]byte
	rand.Read(nonce[:])
	return app.SyncConfig{DownloadFolder: cfg.DownloadFolder, LeaseTTL: cfg.LeaseTTL, DownloadStreams: cfg.DownloadStreams,
		Verify: cfg.Verify, MaxChanges: cfg.MaxChanges,
		Holder: fmt.Sprintf("%s:%d:%x", host, os.Getpid(), nonce)}
}

// provideVerifier proves each file's content at least every
// PHOTOSYNC_VERIFY_EVERY.
func provideVerifier(backup *app.Backup, syncer *app.Syncer, cfg Config) *app.Verifier {
	return app.NewVerifier(backup, syncer, app.VerifyConfig{Every: cfg.VerifyEvery})
}

// provideAlerter sends alerts to PHOTOSYNC_NOTIFY_URL's targets and those
// set in the UI.
func provideAlerter(accounts *app.Accounts, sync ports.SyncStore, backup *app.Backup, settings ports.SettingStore, box ports.SecretBox,
	notifier ports.Notifier, clock ports.Clock, log *slog.Logger, cfg Config) *app.Alerter {
	return app.NewAlerter(accounts, sync, backup, settings, box, notifier, clock, log, app.ParseNotifyURLs(cfg.NotifyURL))
}

// provideMetrics serves GET /metrics, behind PHOTOSYNC_METRICS_TOKEN when
// it is set, counting the jobs of this process as they end; the cleanup
// stops the counting.
func provideMetrics(verifier *app.Verifier, jobs *app.Jobs, cfg Config, log *slog.Logger) (httpapi.MetricsHandler, func()) {
	m := metrics.New(verifier, cfg.MetricsToken, log)
	stop := m.Watch(jobs)
	return m.Handler(), stop
}
