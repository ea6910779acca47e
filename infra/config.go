// Package infra is photosync's composition root: configuration, Wire
// provider sets and one injector per entry point. It is the only package
// that imports every adapter.
package infra

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/app"
)

// Config is the configuration of DESIGN.md: environment variables, each
// also a flag of `photosync serve`.
type Config struct {
	Addr            string        // PHOTOSYNC_ADDR
	DataDir         string        // PHOTOSYNC_DATA
	Library         string        // PHOTOSYNC_LIBRARY
	AdminPassword   string        // PHOTOSYNC_ADMIN_PASSWORD
	SecretKey       string        // PHOTOSYNC_SECRET_KEY
	DownloadFolder  string        // PHOTOSYNC_DOWNLOAD_FOLDER
	DatabaseURL     string        // PHOTOSYNC_DATABASE_URL
	LogFormat       string        // PHOTOSYNC_LOG_FORMAT: text or json
	LogLevel        string        // PHOTOSYNC_LOG_LEVEL: debug, info, warn, error
	IndexInterval   time.Duration // PHOTOSYNC_INDEX_INTERVAL
	indexInterval   string
	WatchDelay      time.Duration // PHOTOSYNC_WATCH_DELAY; 0 = no library watcher
	watchDelay      string
	ChunkSize       int64 // PHOTOSYNC_CHUNK_SIZE, bytes
	chunkSize       string
	DownloadStreams int // PHOTOSYNC_DOWNLOAD_STREAMS
	downloadStreams string
	LeaseTTL        time.Duration // PHOTOSYNC_LEASE_TTL
	leaseTTL        string
	SchedulerTick   time.Duration // PHOTOSYNC_SCHEDULER_TICK
	schedulerTick   string
	TrustProxy      bool // PHOTOSYNC_TRUST_PROXY
	BulkUpload      bool // PHOTOSYNC_BULK_UPLOAD
	bulkUpload      string
	trustProxy      string
	Verify          app.VerifyMode // PHOTOSYNC_VERIFY
	verify          string
	MaxChanges      int // PHOTOSYNC_MAX_CHANGES; 0 = the default rule
	maxChanges      string
	KeepVersions    time.Duration // PHOTOSYNC_KEEP_VERSIONS
	keepVersions    string
	VerifyEvery     time.Duration // PHOTOSYNC_VERIFY_EVERY
	verifyEvery     string
	NotifyURL       string // PHOTOSYNC_NOTIFY_URL: alert targets, comma-separated
	MetricsToken    string // PHOTOSYNC_METRICS_TOKEN: bearer token of /metrics; "" leaves it open
	// FFmpeg is PHOTOSYNC_FFMPEG: the ffmpeg program for video
	// thumbnails; "" finds ffmpeg on PATH, "off" draws posters instead.
	FFmpeg string
}

// setting describes one configuration value.
type setting struct {
	env, flag, def, usage string
	secret                bool
	field                 func(*Config) *string
}

var settings = []setting{
	{"PHOTOSYNC_ADDR", "addr", "127.0.0.1:2343", "listen address", false, func(c *Config) *string { return &c.Addr }},
	{"PHOTOSYNC_DATA", "data", "./data", "state folder: database, key file, thumbnail cache", false, func(c *Config) *string { return &c.DataDir }},
	{"PHOTOSYNC_LIBRARY", "library", "./photos", "the originals folder", false, func(c *Config) *string { return &c.Library }},
	{"PHOTOSYNC_ADMIN_PASSWORD", "admin-password", "", "password for the web UI and API (default: generated on first start and printed once)", true, func(c *Config) *string { return &c.AdminPassword }},
	{"PHOTOSYNC_SECRET_KEY", "secret-key", "", "key for passwords at rest, 32 bytes in base64 or hex (default: key file in the data folder)", true, func(c *Config) *string { return &c.SecretKey }},
	{"PHOTOSYNC_DOWNLOAD_FOLDER", "download-folder", "nextcloud", "folder in the library for downloaded files", false, func(c *Config) *string { return &c.DownloadFolder }},
	{"PHOTOSYNC_DATABASE_URL", "database-url", "", "postgres://... to keep state in PostgreSQL instead of the embedded SQLite", true, func(c *Config) *string { return &c.DatabaseURL }},
	{"PHOTOSYNC_LOG_FORMAT", "log-format", "text", "log format: text or json", false, func(c *Config) *string { return &c.LogFormat }},
	{"PHOTOSYNC_LOG_LEVEL", "log-level", "info", "log level: debug, info, warn or error", false, func(c *Config) *string { return &c.LogLevel }},
	{"PHOTOSYNC_CHUNK_SIZE", "chunk-size", "64MiB", "Nextcloud uploads larger than this go in chunks of this size (5MiB to 5GiB)", false, func(c *Config) *string { return &c.chunkSize }},
	{"PHOTOSYNC_DOWNLOAD_STREAMS", "download-streams", "1", "parts of a file of 64 MiB or more downloaded at once from a server that sends parts (1 to 16)", false, func(c *Config) *string { return &c.downloadStreams }},
	{"PHOTOSYNC_WATCH_DELAY", "watch-delay", "10s", "serve watches the library and uploads new files once it was quiet this long (0 = no watcher; see docs/watch.md)", false, func(c *Config) *string { return &c.watchDelay }},
	{"PHOTOSYNC_INDEX_INTERVAL", "index-interval", "5m", "how often serve indexes the library (0 = only at start and by hand)", false, func(c *Config) *string { return &c.indexInterval }},
	{"PHOTOSYNC_LEASE_TTL", "lease-ttl", "15s", "how long a sync run holds its account without renewing: how soon another instance takes over from one that died (1s to 1h)", false, func(c *Config) *string { return &c.leaseTTL }},
	{"PHOTOSYNC_SCHEDULER_TICK", "scheduler-tick", "1m", "how often serve looks for due syncs (1s to 1h)", false, func(c *Config) *string { return &c.schedulerTick }},
	{"PHOTOSYNC_VERIFY", "verify", "all", "how uploads are proven where the server computes no hash: all (read every upload back), sample (one in ten) or size", false, func(c *Config) *string { return &c.verify }},
	{"PHOTOSYNC_MAX_CHANGES", "max-changes", "", "paired files one sync run may replace before it waits for confirmation (default: 50 files or 10% of the pairs, whichever is larger)", false, func(c *Config) *string { return &c.maxChanges }},
	{"PHOTOSYNC_KEEP_VERSIONS", "keep-versions", "720h", "how long a library file that a sync replaced is kept in the library's versions area (1h to 3650d, such as 720h or 30d)", false, func(c *Config) *string { return &c.keepVersions }},
	{"PHOTOSYNC_VERIFY_EVERY", "verify-every", "720h", "the longest a backed-up file's content goes without being read back from the server and proven (1h to 3650d, such as 720h or 30d)", false, func(c *Config) *string { return &c.verifyEvery }},
	{"PHOTOSYNC_NOTIFY_URL", "notify-url", "", "where alerts go, comma-separated: https://... (a JSON POST), ntfy://, gotify://, smtp://, matrix://, telegram://...", true, func(c *Config) *string { return &c.NotifyURL }},
	{"PHOTOSYNC_METRICS_TOKEN", "metrics-token", "", "bearer token that GET /metrics requires (default: /metrics is open)", true, func(c *Config) *string { return &c.MetricsToken }},
	{"PHOTOSYNC_FFMPEG", "ffmpeg", "", "ffmpeg program for video thumbnails (default: ffmpeg on PATH; off: drawn posters with the duration)", false, func(c *Config) *string { return &c.FFmpeg }},
	{"PHOTOSYNC_BULK_UPLOAD", "bulk-upload", "on", "on: small new files go to Nextcloud in bulk requests where it advertises them, each proven by the server's MD5 check of what it received (measured faster than a PUT each; see docs/nextcloud.md); off: a PUT each", false, func(c *Config) *string { return &c.bulkUpload }},
	{"PHOTOSYNC_TRUST_PROXY", "trust-proxy", "false", "true behind a reverse proxy: take the client's address (for sign-in limits) from X-Forwarded-For", false, func(c *Config) *string { return &c.trustProxy }},
}

// LoadConfig reads the configuration from the environment, with defaults.
func LoadConfig(getenv func(string) string) Config {
	var c Config
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		*s.field(&c) = v
	}
	return c
}

// parseServeFlags overrides c with the flags of `photosync serve`. It
// returns the names of secret settings given as flags, which other users
// of the machine can see in the process list.
func (c *Config) parseServeFlags(args []string, stderr io.Writer) (exposed []string, err error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, s := range settings {
		fs.StringVar(s.field(c), s.flag, *s.field(c), s.usage+" ($"+s.env+")")
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) || (err == nil && fs.NArg() > 0 && fs.Arg(0) == "help") {
		var b strings.Builder
		b.WriteString("Usage:\n  photosync serve [flags]\n\nRuns the web UI, the API and the scheduler. Every flag has an environment\nvariable; a flag wins over its variable.\n\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return nil, cli.Help(b.String())
	} else if err != nil {
		return nil, cli.Usagef("serve: %v", err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if s.flag == f.Name && s.secret {
				exposed = append(exposed, "--"+f.Name)
			}
		}
	})
	if err := c.validate(); err != nil {
		return exposed, cli.Usagef("%v", err)
	}
	return exposed, nil
}

func (c *Config) validate() error {
	if c.DatabaseURL != "" {
		if err := checkDatabaseURL(c.DatabaseURL); err != nil {
			return fmt.Errorf("PHOTOSYNC_DATABASE_URL: %w", err)
		}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("PHOTOSYNC_LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	d, err := time.ParseDuration(c.indexInterval)
	if c.indexInterval == "0" {
		d, err = 0, nil
	}
	if err != nil || d < 0 {
		return fmt.Errorf("PHOTOSYNC_INDEX_INTERVAL: %q is not a duration such as 5m or 1h", c.indexInterval)
	}
	c.IndexInterval = d
	if c.WatchDelay, err = time.ParseDuration(c.watchDelay); c.watchDelay == "0" || c.watchDelay == "off" {
		c.WatchDelay, err = 0, nil
	} else if err != nil || c.WatchDelay < 100*time.Millisecond || c.WatchDelay > time.Hour {
		return fmt.Errorf("PHOTOSYNC_WATCH_DELAY: %q is not 0 (off) or a duration from 100ms to 1h, such as 10s", c.watchDelay)
	}
	if c.ChunkSize, err = parseSize(c.chunkSize); err != nil || c.ChunkSize < webdav.MinChunkSize || c.ChunkSize > webdav.MaxChunkSize {
		return fmt.Errorf("PHOTOSYNC_CHUNK_SIZE: %q is not a size from 5MiB to 5GiB, such as 10MiB", c.chunkSize)
	}
	if c.DownloadStreams, err = strconv.Atoi(c.downloadStreams); err != nil || c.DownloadStreams < 1 || c.DownloadStreams > 16 {
		return fmt.Errorf("PHOTOSYNC_DOWNLOAD_STREAMS: %q is not a number from 1 to 16", c.downloadStreams)
	}
	if c.LeaseTTL, err = time.ParseDuration(c.leaseTTL); err != nil || c.LeaseTTL < time.Second || c.LeaseTTL > time.Hour {
		return fmt.Errorf("PHOTOSYNC_LEASE_TTL: %q is not a duration from 1s to 1h, such as 15s", c.leaseTTL)
	}
	if c.SchedulerTick, err = time.ParseDuration(c.schedulerTick); err != nil || c.SchedulerTick < time.Second || c.SchedulerTick > time.Hour {
		return fmt.Errorf("PHOTOSYNC_SCHEDULER_TICK: %q is not a duration from 1s to 1h, such as 1m", c.schedulerTick)
	}
	if c.KeepVersions, err = parseDays(c.keepVersions); err != nil || c.KeepVersions < time.Hour || c.KeepVersions > 3650*24*time.Hour {
		return fmt.Errorf("PHOTOSYNC_KEEP_VERSIONS: %q is not a duration from 1h to 3650d, such as 720h or 30d", c.keepVersions)
	}
	if c.VerifyEvery, err = parseDays(c.verifyEvery); err != nil || c.VerifyEvery < time.Hour || c.VerifyEvery > 3650*24*time.Hour {
		return fmt.Errorf("PHOTOSYNC_VERIFY_EVERY: %q is not a duration from 1h to 3650d, such as 720h or 30d", c.verifyEvery)
	}
	switch strings.ToLower(c.trustProxy) {
	case "true", "1", "yes":
		c.TrustProxy = true
	case "false", "0", "no", "":
		c.TrustProxy = false
	default:
		return fmt.Errorf("PHOTOSYNC_TRUST_PROXY: %q is not true or false", c.trustProxy)
	}
	switch strings.ToLower(strings.TrimSpace(c.bulkUpload)) {
	case "on", "true", "1", "yes", "":
		c.BulkUpload = true
	case "off", "false", "0", "no":
		c.BulkUpload = false
	default:
		return fmt.Errorf("PHOTOSYNC_BULK_UPLOAD: %q is not on or off", c.bulkUpload)
	}
	if c.Verify, err = app.ParseVerifyMode(c.verify); err != nil {
		return fmt.Errorf("PHOTOSYNC_VERIFY: %q is not all, sample or size", c.verify)
	}
	c.MaxChanges = 0
	if strings.TrimSpace(c.maxChanges) != "" {
		if c.MaxChanges, err = strconv.Atoi(strings.TrimSpace(c.maxChanges)); err != nil || c.MaxChanges < 1 {
			return fmt.Errorf("PHOTOSYNC_MAX_CHANGES: %q is not a number of files from 1 up (unset it for the default: 50 files or 10%% of the pairs)", c.maxChanges)
		}
	}
	if f := strings.ToLower(c.FFmpeg); f != "" && f != "off" && f != "none" && f != "false" {
		if _, err := exec.LookPath(c.FFmpeg); err != nil {
			return fmt.Errorf("PHOTOSYNC_FFMPEG: %q is not a program that can be run (%v); leave it empty to find ffmpeg on PATH, or off", c.FFmpeg, err)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("PHOTOSYNC_DATA: the data folder must not be empty")
	}
	return nil
}

// checkDatabaseURL accepts a postgres:// or postgresql:// URL with a
// host. Its messages never repeat the URL, which may hold a password.
func checkDatabaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("not a PostgreSQL URL; it must look like postgres://user:password@host:5432/database (unset it to use the embedded SQLite database)")
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return fmt.Errorf("the URL names no host; it must look like postgres://user:password@host:5432/database")
	}
	return nil
}

// parseSize reads a byte count with an optional binary unit: 10485760,
// 10MiB, 10M, 1GiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// parseDays is time.ParseDuration that also takes a number of days: 30d.
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 1<<20 {
			return 0, fmt.Errorf("bad number of days %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// DatabasePath is the SQLite file in the data folder.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "photosync.db") }
