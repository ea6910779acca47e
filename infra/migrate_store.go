package infra

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/domain"
)

// migrateStore is `photosync migrate-store`: it copies the SQLite database
// of the data folder into the PostgreSQL database at target (see
// postgres.Import). Both schemas are brought up to date first. The
// SQLite file is only read: it stays as it was, a way back.
func migrateStore(ctx context.Context, cfg Config, target string, replace bool) ([]cli.TableCount, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkDatabaseURL(target); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "migrate-store: %v", err)
	}
	path, err := filepath.Abs(cfg.DatabasePath())
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "there is no SQLite database at %s to copy: set PHOTOSYNC_DATA to the data folder of the installation", path)
	}
	// Open migrates the file to this photosync's schema, which is the
	// one PostgreSQL gets.
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.Close()
	src, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: filepath.ToSlash(path),
		RawQuery: "_pragma=busy_timeout(10000)"}).String())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	defer src.Close()

	pg, err := postgres.Open(ctx, target, postgres.Options{MaxConns: 2})
	if err != nil {
		return nil, fmt.Errorf("open the PostgreSQL database: %w", err)
	}
	defer pg.Close()
	counts, err := postgres.Import(ctx, pg, src, replace)
	if err != nil {
		return nil, err
	}
	out := make([]cli.TableCount, len(counts))
	for i, c := range counts {
		out[i] = cli.TableCount{Table: c.Table, Rows: c.Rows}
	}
	return out, nil
}
