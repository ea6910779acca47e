package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bench is one run of TestBench: its data, tools and results.
type bench struct {
	t         *testing.T
	cfg       config
	res       *results
	photosync string // the binary
	rcloneBin string
	rclones   []namedRclone
	photos    dataset         // the first backup's library
	many      map[int]dataset // the no-change libraries by file count
	seq       int             // numbers the folders runs get
	servers   []*server
	notes     []string
}

type namedRclone struct {
	name string
	r    rclone
}

// dest answers a new folder on the server for one run.
func (b *bench) dest(what string) string {
	b.seq++
	return fmt.Sprintf("/b%03d-%s", b.seq, what)
}

// rclonesOn answers the rclones to run against srv: rclone's defaults
// (paced at 10 ms a request, the same story on every server) only on
// Apache unless -everywhere, to keep the bench within its 15 minutes.
func (b *bench) rclonesOn(srv *server) []namedRclone {
	if *everywhere || srv.name == "apache" || len(b.rclones) == 1 {
		return b.rclones
	}
	var out []namedRclone
	for _, rc := range b.rclones {
		if rc.name != toolDefaults {
			out = append(out, rc)
		}
	}
	return out
}

// alternate runs steps reps times, each time starting one further along,
// so that no tool always runs first (or after the same other).
func (b *bench) alternate(reps int, steps []func()) {
	for rep := range reps {
		for i := range steps {
			steps[(i+rep)%len(steps)]()
		}
	}
}

// firstBackup: the photo library to an empty folder, by photosync (an
// upload-only sync: index, listing, uploads), the ceiling and rclone.
func (b *bench) firstBackup(srv *server) {
	t, sc := b.t, "first backup"
	steps := []func(){
		func() {
			dest := b.dest("ps")
			p := newPhotosync(t, b.photosync, b.photos.dir, srv.c, srv.user, srv.pass, dest, false)
			b.res.add(sc, srv.title(), toolPhotosync, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, p.sync(t, srv.c)))
		},
		func() {
			dest := b.dest("put")
			b.res.add(sc, srv.title(), toolCeiling, b.photos.bytes,
				checkTree(t, srv.dir, dest, b.photos, putClient(t, srv.c, b.photos.dir, srv.user, srv.pass, srv.davURL, dest)))
		},
	}
	for _, rc := range b.rclonesOn(srv) {
		steps = append(steps, func() {
			dest := b.dest("rc")
			b.res.add(sc, srv.title(), rc.name, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, rc.r.copy(t, srv, b.photos.dir, dest, true)))
		})
	}
	if *psBaseline != "" {
		steps = append(steps, func() {
			dest := b.dest("base")
			p := newPhotosync(t, *psBaseline, b.photos.dir, srv.c, srv.user, srv.pass, dest, false)
			b.res.add(sc, srv.title(), toolBaseline, b.photos.bytes, checkTree(t, srv.dir, dest, b.photos, p.sync(t, srv.c)))
		})
	}
	b.alternate(b.cfg.reps, steps)
	srv.clean(t)
}

// firstDownload: the same tree from the server to an empty library, by
// photosync (a download-only sync) and rclone.
func (b *bench) firstDownload(srv *server) {
	t, sc := b.t, "first download"
	src := b.dest("src")
	srv.seed(t, b.photos.dir, src)
	steps := []func(){
		func() {
			lib := t.TempDir()
			p := newPhotosync(t, b.photosync, lib, srv.c, srv.user, srv.pass, src, true)
			s := p.sync(t, srv.c)
			b.res.add(sc, srv.title(), toolPhotosync, b.photos.bytes, checkLocal(t, lib, b.photos, s))
			os.RemoveAll(lib)
		},
	}
	steps = append(steps, func() {
		lib := t.TempDir()
		s := getClient(t, srv.c, b.photos.dir, srv.user, srv.pass, srv.davURL, src, lib)
		b.res.add(sc, srv.title(), toolGetCeiling, b.photos.bytes, checkLocal(t, lib, b.photos, s))
		os.RemoveAll(lib)
	})
	for _, rc := range b.rclonesOn(srv) {
		steps = append(steps, func() {
			lib := t.TempDir()
			b.res.add(sc, srv.title(), rc.name, b.photos.bytes, checkLocal(t, lib, b.photos, rc.r.copy(t, srv, lib, src, false)))
			os.RemoveAll(lib)
		})
	}
	b.alternate(b.cfg.reps, steps)
	srv.clean(t)
}

// noChange: a library of n small photos already on the server; with n the
// bench's newAmong, first one new file per run, then no change at all.
func (b *bench) noChange(srv *server, n int) {
	t := b.t
	lib := b.manyLibrary(n)
	type party struct {
		name string
		run  func() sample
	}
	var parties []party
	{
		dest := b.dest("ps")
		srv.seed(t, lib.dir, dest)
		p := newPhotosync(t, b.photosync, lib.dir, srv.c, srv.user, srv.pass, dest, false)
		p.sync(t, srv.c) // pairs with what is there
		parties = append(parties, party{toolPhotosync, func() sample { return p.sync(t, srv.c) }})
	}
	if *psBaseline != "" {
		dest := b.dest("base")
		srv.seed(t, lib.dir, dest)
		p := newPhotosync(t, *psBaseline, lib.dir, srv.c, srv.user, srv.pass, dest, false)
		p.sync(t, srv.c)
		parties = append(parties, party{toolBaseline, func() sample { return p.sync(t, srv.c) }})
	}
	for _, rc := range b.rclonesOn(srv) {
		if rc.name == toolDefaults && n > 10000 {
			continue // 10 ms per listed folder: minutes, and no news
		}
		dest := b.dest("rc")
		srv.seed(t, lib.dir, dest)
		parties = append(parties, party{rc.name, func() sample { return rc.r.copy(t, srv, lib.dir, dest, true) }})
	}
	// One-new-file runs: the first is never timed. It is the run after a
	// first sync, when photosync learns (from its own upload seen in the
	// next listing) whether the server propagates folder ETags; the timed
	// ones are the steady state, every run after that.
	news := 1
	if n == b.cfg.newAmong {
		news = 1 + b.cfg.reps
	}
	for rep := range news {
		name := fmt.Sprintf("NEW_%s_%d_%03d.JPG", srv.name, n, rep)
		addFile(t, lib, name)
		sc := fmt.Sprintf("one new file among %d", n)
		for i := range parties {
			x := parties[(i+rep)%len(parties)]
			s := x.run()
			if s.reqs["PUT"] < 1 && s.reqs["MOVE"] < 1 && s.reqs["POST"] < 1 { // POST: a bulk upload
				t.Fatalf("%s on %s: %s sent no file (%s)", sc, srv.name, x.name, s.reqs)
			}
			if n == b.cfg.newAmong && rep > 0 {
				b.res.add(sc, srv.title(), x.name, 0, s)
			}
		}
	}
	// The next scheduled run, not timed: on a server with folder ETags it
	// sees its own upload, the evidence that the ETags propagate.
	parties[0].run()
	sc := fmt.Sprintf("no-change sync, %d files", n)
	steps := make([]func(), len(parties))
	for i, x := range parties {
		steps[i] = func() {
			s := x.run()
			if s.reqs["PUT"]+s.reqs["MOVE"] > 0 {
				t.Fatalf("%s on %s: %s sent files (%s)", sc, srv.name, x.name, s.reqs)
			}
			b.res.add(sc, srv.title(), x.name, 0, s)
		}
	}
	b.alternate(b.cfg.reps, steps)
	srv.clean(t)
}

// manyLibrary answers the library of n small photos in n/20 folders,
// generated once.
func (b *bench) manyLibrary(n int) dataset {
	if d, ok := b.many[n]; ok {
		return d
	}
	if b.many == nil {
		b.many = map[int]dataset{}
	}
	d := generateMany(b.t, b.t.TempDir(), n, max(1, n/20), uint64(n))
	b.many[n] = d
	return d
}

// large: one large file up to an empty folder and down to an empty
// library, by photosync and the tuned rclone (chunked on the Nextcloud
// test server, both), once each.
func (b *bench) large(srv *server) {
	t := b.t
	var tools []namedRclone
	for _, rc := range b.rclones {
		if rc.name == toolTuned || len(b.rclones) == 1 {
			tools = append(tools, rc)
		}
	}
	dir := t.TempDir()
	d := generate(t, dir, 0, 1, 1, 0, 0, b.cfg.largeMB, 9)
	scUp, scDown := fmt.Sprintf("large file up (%d MB)", d.bytes/1e6), fmt.Sprintf("large file down (%d MB)", d.bytes/1e6)
	dest := b.dest("ps")
	p := newPhotosync(t, b.photosync, d.dir, srv.c, srv.user, srv.pass, dest, false)
	b.res.add(scUp, srv.title(), toolPhotosync, d.bytes, checkTree(t, srv.dir, dest, d, p.sync(t, srv.c)))
	for _, rc := range tools {
		dest := b.dest("rc")
		b.res.add(scUp, srv.title(), rc.name, d.bytes, checkTree(t, srv.dir, dest, d, rc.r.copy(t, srv, d.dir, dest, true)))
	}
	srv.clean(t)
	src := b.dest("src")
	srv.seed(t, d.dir, src)
	lib := t.TempDir()
	p = newPhotosync(t, b.photosync, lib, srv.c, srv.user, srv.pass, src, true)
	b.res.add(scDown, srv.title(), toolPhotosync, d.bytes, checkLocal(t, lib, d, p.sync(t, srv.c)))
	os.RemoveAll(lib)
	for _, rc := range tools {
		lib := t.TempDir()
		b.res.add(scDown, srv.title(), rc.name, d.bytes, checkLocal(t, lib, d, rc.r.copy(t, srv, lib, src, false)))
		os.RemoveAll(lib)
	}
	srv.clean(t)
	os.RemoveAll(dir)
}

// index: photosync's first index of a library of many small photos, then
// an unchanged re-index, which must read no file.
func (b *bench) index() {
	t := b.t
	lib := b.manyLibrary(b.cfg.index)
	p := &photosync{bin: b.photosync, data: t.TempDir(), library: lib.dir}
	none := &counter{byMethod: map[string]int{}}
	files, bytes := countFiles(t, lib.dir) // with the new files of the one-new-file runs
	first, read := p.index(t, none)
	if read != files {
		t.Fatalf("the first index read %d of %d files", read, files)
	}
	sc := fmt.Sprintf("index, %d files", files)
	first.reqs = nil
	b.res.add(sc+": first", "—", toolPhotosync, bytes, first)
	again, read := p.index(t, none)
	if read != 0 {
		t.Fatalf("the unchanged re-index read %d files", read)
	}
	again.reqs = nil
	b.res.add(sc+": unchanged re-index (reads no file)", "—", toolPhotosync, 0, again)
}

// checkTree fails the test unless dest on the server holds every file of
// data with its size, and answers s.
func checkTree(t testing.TB, root, dest string, data dataset, s sample) sample {
	t.Helper()
	return checkLocal(t, filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(dest, "/"))), data, s)
}

// checkLocal fails the test unless dir holds every file of data with its
// size, and answers s.
func checkLocal(t testing.TB, dir string, data dataset, s sample) sample {
	t.Helper()
	n, size := countFiles(t, dir)
	if n != data.files || size != data.bytes {
		t.Fatalf("%s holds %d files, %d bytes; want %d, %d", dir, n, size, data.files, data.bytes)
	}
	return s
}

// countFiles counts the regular files below dir and their bytes, leaving
// out photosync's data (its hidden folders).
func countFiles(t testing.TB, dir string) (int, int64) {
	t.Helper()
	n, size := 0, int64(0)
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() && strings.HasPrefix(fi.Name(), ".") {
			return filepath.SkipDir
		}
		if fi.Mode().IsRegular() {
			n++
			size += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("count %s: %v", dir, err)
	}
	return n, size
}
