package infra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Server is `photosync serve`: the API and web UI on one listener, and
// the app's scheduler loop and library watcher beside it.
type Server struct {
	Handler *echo.Echo
	App     *app.App
	Log     *slog.Logger
}

// shutdownGrace is how long running requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

// serve parses the serve flags, builds the server and runs it until ctx
// is done.
func serve(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	exposed, err := cfg.parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	log := NewLogger(stderr, cfg)
	for _, f := range exposed {
		log.Warn("a secret was given as a command-line flag, which other users of this machine can see; prefer the environment variable", "flag", f)
	}
	// Before anything is written to the data folder: an empty one is what
	// tells a first start.
	created, err := checkLibrary(cfg)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "Created the library folder %s (first start).\n", cfg.Library)
		log.Info("created the library folder on the first start", "library", cfg.Library)
	}
	srv, cleanup, err := InitializeServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer cleanup()

	generated, err := srv.App.Auth.EnsureAdminPassword(ctx)
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(stdout, "Generated admin password (shown only this once; set PHOTOSYNC_ADMIN_PASSWORD to choose your own): %s\n", generated)
	}

	if err := srv.App.Jobs.Recover(ctx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Shutdown does not cancel request contexts: stop the jobs (and with
	// them the event streams) as soon as it starts.
	hs.RegisterOnShutdown(srv.App.Jobs.Close)
	fmt.Fprintf(stdout, "photosync %s listening on http://%s (data in %s)\n", version(), ln.Addr(), cfg.DataDir)
	log.Info("serving", "addr", ln.Addr().String(), "data", cfg.DataDir, "library", cfg.Library)
	if !isLoopback(ln.Addr()) {
		log.Warn("listening beyond this machine without TLS: put photosync behind a reverse proxy with HTTPS", "addr", ln.Addr().String())
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go srv.App.Scheduler.Loop(ctx, cfg.SchedulerTick)
	if cfg.WatchDelay > 0 {
		go srv.App.Watch.Run(ctx)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// checkLibrary makes sure the library folder is there before serve
// starts. A missing one is more likely a disk that is not mounted than a
// library to create: an empty folder in its place would show an empty
// library, and syncs would take every photo for deleted. So it is created
// only on the very first start (the data folder missing or empty), and
// reported as such; otherwise serve refuses to start and says why.
func checkLibrary(cfg Config) (created bool, err error) {
	fi, err := os.Stat(cfg.Library)
	switch {
	case err == nil && fi.IsDir():
		return false, nil
	case err == nil:
		return false, domain.Errorf(domain.EINVALID, "the library %s is not a folder (PHOTOSYNC_LIBRARY)", cfg.Library)
	case !errors.Is(err, fs.ErrNotExist):
		return false, &domain.Error{Code: domain.EUNAVAILABLE, Message: fmt.Sprintf("the library folder %s cannot be read: %s", cfg.Library, cause(err)), Err: err}
	}
	if !firstStart(cfg.DataDir) {
		return false, domain.Errorf(domain.ENOTFOUND, "the library folder %s does not exist: is its disk mounted? "+
			"photosync creates it only on its first start, so that an unmounted disk never looks like an empty library; "+
			"if the library is meant to start empty, create the folder (mkdir -p %s) and start again", cfg.Library, cfg.Library)
	}
	if err := os.MkdirAll(cfg.Library, 0o755); err != nil {
		return false, &domain.Error{Code: domain.EUNAVAILABLE, Message: fmt.Sprintf("the library folder %s cannot be created: %s", cfg.Library, cause(err)), Err: err}
	}
	return true, nil
}

// firstStart reports whether photosync has never started with the data
// folder dir: it is missing or empty.
func firstStart(dir string) bool {
	entries, err := os.ReadDir(dir)
	return errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0
}

// cause is the operating system's words for err, without the path.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func isLoopback(a net.Addr) bool {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
