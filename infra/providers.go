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

// CoreSet provides the app: the outbound adapters (beside the stores)
// as app.Ports, the configuration as app.Settings, and app.New.
var CoreSet = wire.NewSet(
	provideSecretBox, wire.Bind(new(ports.SecretBox), new(*secrets.Box)),
	provideConnector, wire.Bind(new(ports.Connector), new(*webdav.Connector)),
	wire.Bind(new(ports.LoginFlowClient), new(*webdav.Connector)),
	wire.Struct(new(system.Clock)), wire.Bind(new(ports.Clock), new(system.Clock)),
	provideLibrary, wire.Bind(new(ports.Library), new(*localfs.Library)),
	provideLibraryWriter, wire.Bind(new(ports.LibraryWriter), new(*localfs.Writer)),
	provideVersionStore, wire.Bind(new(ports.VersionStore), new(*localfs.VersionStore)),
	media.NewInspector, wire.Bind(new(ports.MediaInspector), new(*media.Inspector)),
	media.NewChecker, wire.Bind(new(ports.ContentChecker), new(*media.Checker)),
	provideThumbnails, wire.Bind(new(ports.Thumbnailer), new(*media.Thumbnails)),
	media.NewResizer, wire.Bind(new(ports.Resizer), new(*media.Resizer)),
	provideLibraryWatcher, wire.Bind(new(ports.LibraryWatcher), new(*fswatch.Watcher)),
	notify.New, wire.Bind(new(ports.Notifier), new(*notify.Notifier)),
	wire.Struct(new(app.Ports), "*"),
	provideSettings,
	provideApp,
)

// HTTPSet provides the API and web UI, for serve and for Lambda.
var HTTPSet = wire.NewSet(
	wire.Struct(new(httpapi.Settings), "*"),
	provideVersion,
	provideTrustProxy,
	webui.Assets,
	provideMetrics,
	httpapi.New,
)

// The provider sets of the entry points, one each: `photosync serve`,
// the other commands, and the HTTP application the Lambda function
// (infra/lambdafn's LambdaSet) builds on stores it opens itself. Each
// builds one app.App.
var (
	ServerSet  = wire.NewSet(StoreSet, CoreSet, HTTPSet, wire.Struct(new(Server), "Handler", "App", "Log"))
	CLISet     = wire.NewSet(StoreSet, CoreSet)
	HTTPAppSet = wire.NewSet(StoreFields, CoreSet, HTTPSet, wire.Struct(new(HTTPApp), "*"))
)

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

// provideLibraryWatcher watches the library folder (serve starts it).
func provideLibraryWatcher(cfg Config) *fswatch.Watcher { return fswatch.New(cfg.Library) }

// provideConnector reaches WebDAV servers with the configured chunk size
// for Nextcloud uploads, and bulk upload on or off (off by default: PUTs
// keeping the session were measured as fast or faster, docs/performance.md).
func provideConnector(log *slog.Logger, cfg Config) *webdav.Connector {
	return webdav.NewConnectorWithOptions(log, webdav.Options{ChunkSize: cfg.ChunkSize, BulkUpload: cfg.BulkUpload})
}

func provideLibrary(cfg Config) *localfs.Library { return localfs.NewLibrary(cfg.Library) }

// provideLibraryWriter writes into the configured library folder.
func provideLibraryWriter(cfg Config) *localfs.Writer { return localfs.NewWriter(cfg.Library) }

// provideVersionStore keeps replaced library files in the library's
// versions area.
func provideVersionStore(cfg Config, clock ports.Clock) *localfs.VersionStore {
	return localfs.NewVersionStore(cfg.Library, clock)
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

func provideVersion() string { return version() }

func provideTrustProxy(cfg Config) httpapi.TrustProxy { return httpapi.TrustProxy(cfg.TrustProxy) }

// provideApp builds the app; the cleanup stops its jobs.
func provideApp(p app.Ports, s app.Settings) (*app.App, func()) {
	a := app.New(p, s)
	return a, a.Close
}

// provideSettings is the app's part of the configuration.
func provideSettings(cfg Config) app.Settings {
	return app.Settings{
		AdminPassword: app.AdminPassword(cfg.AdminPassword),
		Sync:          provideSyncConfig(cfg),
		// The download folder's changes are the syncs' own.
		Watch:      app.WatchConfig{Delay: cfg.WatchDelay, DownloadFolder: cfg.DownloadFolder},
		Versions:   app.VersionsConfig{Keep: cfg.KeepVersions},
		Verify:     app.VerifyConfig{Every: cfg.VerifyEvery},
		NotifyURLs: app.ParseNotifyURLs(cfg.NotifyURL),
		IndexEvery: cfg.IndexInterval,
	}
}

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

// provideMetrics serves GET /metrics, behind PHOTOSYNC_METRICS_TOKEN when
// it is set, counting the jobs of this process as they end; the cleanup
// stops the counting.
func provideMetrics(a *app.App, cfg Config) (httpapi.MetricsHandler, func()) {
	m := metrics.New(a.Verifier, cfg.MetricsToken, a.Log)
	stop := m.Watch(a.Jobs)
	return m.Handler(), stop
}
