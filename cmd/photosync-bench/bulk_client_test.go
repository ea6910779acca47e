package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/domain"
)

// The bulk client measures Nextcloud's bulk upload against PUTs keeping
// the session, both through photosync's own WebDAV client
// (adapters/webdav): the test binary run again, as the ceilings are, with
// bulkClientEnv set to "bulk" (small files in bulk requests of up to
// bulkBatch files, UploadBulk) or "put" (every file by UploadProven,
// transfers at a time).
const (
	bulkClientEnv = "PHOTOSYNC_BENCH_BULK_CLIENT"
	bulkBatch     = 100
	bulkSmall     = 4 << 20 // files up to this size go in bulk requests
	toolBulk      = "webdav client, bulk upload"
	toolPuts      = "webdav client, PUTs"
)

// bulkClient times the bulk client (mode "bulk" or "put") sending src to
// dest on srv.
func bulkClient(t testing.TB, srv *server, mode, src, dest string) sample {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", src, srv.davURL, srv.user, srv.pass, dest)
	cmd.Env = env(t, bulkClientEnv+"="+mode)
	return timed(t, srv.c, cmd)
}

// bulkClientMain is the bulk client: args are src, the WebDAV URL, user,
// password and dest.
func bulkClientMain(mode string, args []string) error {
	src, davURL, user, pass, dest := args[0], args[1], args[2], args[3], args[4]
	ctx := context.Background()
	c, err := webdav.NewConnectorWithOptions(nil, webdav.Options{BulkUpload: mode == "bulk"}).
		Client(domain.Credentials{URL: davURL, Username: user, Password: pass, Timeout: time.Minute}, domain.TypeNextcloud)
	if err != nil {
		return err
	}
	dirs, files, err := tree(src)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := c.MkdirAll(ctx, path.Join(dest, strings.TrimPrefix(d, "."))); err != nil {
			return err
		}
	}
	meta := func(p string) (domain.UploadMeta, os.FileInfo, error) {
		fi, err := os.Stat(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return domain.UploadMeta{}, nil, err
		}
		return domain.UploadMeta{ModTime: fi.ModTime()}, fi, nil
	}
	var batch []webdav.BulkFile
	var big []string
	flush := func() error {
		for i, r := range c.UploadBulk(ctx, batch) {
			if r.Err != nil {
				return fmt.Errorf("%s: %w", batch[i].Path, r.Err)
			}
		}
		batch = batch[:0]
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(transfers)
	for _, p := range files {
		m, fi, err := meta(p)
		if err != nil {
			return err
		}
		if mode != "bulk" || fi.Size() > bulkSmall {
			big = append(big, p)
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		batch = append(batch, webdav.BulkFile{Path: path.Join(dest, p), Data: data, Meta: m})
		if len(batch) == bulkBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, p := range big {
		g.Go(func() error {
			m, fi, err := meta(p)
			if err != nil {
				return err
			}
			f, err := os.Open(filepath.Join(src, filepath.FromSlash(p)))
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = c.UploadProven(gctx, path.Join(dest, p), f, fi.Size(), m)
			return err
		})
	}
	return g.Wait()
}
