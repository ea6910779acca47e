package app

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// IndexWorkers is how many files an index reads at once: enough to keep a
// disk and a CPU busy hashing, few enough not to thrash a spinning disk.
const IndexWorkers = 4

// Indexed is the outcome of a file an index read: it counts in FilesDone
// and in no other counter of the job. Unchanged files are Skipped, their
// known problems included; files found with a problem in this run (new or
// changed, empty, corrupt, or that cannot be read) are Failed, with the
// problem as their error, so that the job lists them.
const Indexed Outcome = Failed + 1

// Indexer keeps the library index up to date.
//
// Index runs one at a time in a process: a call made while another runs
// waits for it (or for its context), then indexes; the second run is cheap,
// since it reads no unchanged file.
type Indexer struct {
	lib       ports.Library
	store     ports.LibraryStore
	inspector ports.MediaInspector
	clock     ports.Clock
	log       *slog.Logger
	running   chan struct{} // holds a token while an index runs
}

// NewIndexer returns an Indexer of lib into store.
func NewIndexer(lib ports.Library, store ports.LibraryStore, inspector ports.MediaInspector, clock ports.Clock, log *slog.Logger) *Indexer {
	return &Indexer{lib: lib, store: store, inspector: inspector, clock: clock, log: log, running: make(chan struct{}, 1)}
}

// entry is one file seen by the walk, with what is known of its content.
type entry struct {
	fi   domain.FileInfo
	old  *domain.LibraryFile // as indexed before; nil for a new file
	at   int                 // old's place among the stored files, -1 for none
	info domain.MediaInfo
}

// Index walks the library, reads the files that are new or changed (same
// path, size and modification time means unchanged: its checksum and
// metadata are kept and its content not read), stacks the files into
// photos, marks the files gone from disk missing and saves the outcome in
// one SaveIndex, or none when nothing changed. Empty files are not read.
// A file that cannot be read, is empty or corrupt is listed among the
// result's Problems with its cause, as are sidecars without a photo.
//
// p (which may be nil) gets the totals (files, and bytes to read) and
// one FileDone per file. When ctx ends, Index stops reading and returns
// its error, saving nothing.
func (ix *Indexer) Index(ctx context.Context, p *Progress) (domain.IndexResult, error) {
	return ix.IndexWith(ctx, p, IndexOptions{})
}

// IndexOptions change what an index does.
type IndexOptions struct {
	// Deep reads every file again, changed or not, and decodes every
	// image whole where the inspector can (ports.DeepInspector): it finds
	// damage inside compressed image data that the structural check of
	// an ordinary index misses, at many times its cost.
	Deep bool
	// Read, when set, is told of each file as soon as the index has read
	// it (a new or changed file, or any file when Deep), before the rest
	// of the library is read: the file as the index will save it, but for
	// what stacking adds (no photo, no role, no orphan problem) and, for a
	// new file, its ID. A sync sends such files while the index goes on
	// (see earlySync). It is called from several goroutines at once and
	// should return quickly; it is not called for files that are not read,
	// nor after ctx ends.
	Read func(domain.LibraryFile)
}

// IndexWith is Index with options.
func (ix *Indexer) IndexWith(ctx context.Context, p *Progress, opts IndexOptions) (domain.IndexResult, error) {
	res, _, err := ix.indexWith(ctx, p, opts)
	return res, err
}

// IndexFiles is IndexWith that also answers the present files of the
// library as indexed now, with their IDs, photos and roles: what a sync
// plans with, so that it need not read the whole index back.
func (ix *Indexer) IndexFiles(ctx context.Context, p *Progress, opts IndexOptions) (domain.IndexResult, []domain.LibraryFile, error) {
	return ix.indexWith(ctx, p, opts)
}

func (ix *Indexer) indexWith(ctx context.Context, p *Progress, opts IndexOptions) (domain.IndexResult, []domain.LibraryFile, error) {
	select {
	case ix.running <- struct{}{}:
	case <-ctx.Done():
		return domain.IndexResult{}, nil, ctx.Err()
	}
	defer func() { <-ix.running }()
	if p == nil {
		p = NewProgress(domain.Job{Kind: domain.JobIndex}, nil)
	}
	start := ix.clock.Now()

	stored, err := ix.store.LibraryFiles(ctx)
	if err != nil {
		return domain.IndexResult{}, nil, err
	}
	byPath := make(map[string]int, len(stored))
	for i, f := range stored {
		byPath[f.Path] = i
	}
	entries, err := ix.walk(ctx, stored, byPath)
	if err != nil {
		return domain.IndexResult{}, nil, err
	}
	if err := libraryGone(entries, stored); err != nil {
		return domain.IndexResult{}, nil, err
	}
	toRead, bytes := plan(entries, opts.Deep)
	p.SetTotal(len(entries), bytes)
	reportKnown(p, entries)
	if err := ix.readAll(ctx, p, entries, toRead, opts); err != nil {
		return domain.IndexResult{}, nil, err
	}

	now := ix.clock.Now()
	seen := make([]bool, len(stored))
	unchanged := true // every file as stored, and no new one
	for _, e := range entries {
		if e.old == nil {
			unchanged = false
			continue
		}
		seen[e.at] = true
		unchanged = unchanged && sameRead(*e.old, fileOf(e, now))
	}
	res := domain.IndexResult{Files: len(entries), Read: len(toRead)}
	var missing []string
	for i, f := range stored {
		if seen[i] {
			continue
		}
		res.Missing++
		if !f.Missing {
			missing = append(missing, f.Path)
		}
	}
	if unchanged && len(missing) == 0 {
		// The same files with the same content stack into the same photos:
		// the stored grouping stands, and nothing is saved. The present
		// files are the stored ones, without a copy when none is missing.
		present := stored
		if res.Missing > 0 {
			present = make([]domain.LibraryFile, 0, len(entries))
			for _, e := range entries {
				present = append(present, *e.old)
			}
		}
		res.Photos, res.Problems = storedPhotos(present)
		ix.logIndexed(res, false, start)
		return res, present, nil
	}
	files := make([]domain.LibraryFile, 0, len(entries))
	for _, e := range entries {
		files = append(files, fileOf(e, now))
	}
	photos, loose := domain.Stack(files)
	res.Photos = len(photos)
	// Only the photos and loose files that differ from the index are
	// saved; the others get their stored IDs.
	var savePhotos []domain.Photo
	var saveLoose []domain.LibraryFile
	var photoAt, looseAt []int // their places in photos and loose
	usedIDs := map[int64]bool{}
	for i := range photos {
		if id, ok := storedPhotoID(stored, byPath, photos[i]); ok && !usedIDs[id] {
			usedIDs[id] = true
			for j := range photos[i].Files {
				f := &photos[i].Files[j]
				f.ID, f.PhotoID = stored[byPath[f.Path]].ID, id
			}
			continue
		}
		photoAt, savePhotos = append(photoAt, i), append(savePhotos, photos[i])
	}
	for i, f := range loose {
		if j, ok := byPath[f.Path]; ok && sameFile(stored[j], f) && stored[j].PhotoID == 0 {
			loose[i].ID = stored[j].ID
			continue
		}
		looseAt, saveLoose = append(looseAt, i), append(saveLoose, f)
	}
	changed := len(missing) > 0 || len(savePhotos) > 0 || len(saveLoose) > 0
	if changed {
		if err := ix.store.SaveIndex(ctx, savePhotos, saveLoose, missing, now); err != nil {
			return domain.IndexResult{}, nil, err
		}
		for k, i := range photoAt {
			photos[i] = savePhotos[k] // with the IDs SaveIndex gave
		}
		for k, i := range looseAt {
			loose[i] = saveLoose[k]
		}
	}
	present := files[:0]
	for _, ph := range photos {
		present = append(present, ph.Files...)
	}
	present = append(present, loose...)
	res.Problems = loose
	ix.logIndexed(res, changed, start)
	return res, present, nil
}

func (ix *Indexer) logIndexed(res domain.IndexResult, saved bool, start time.Time) {
	ix.log.Info("library indexed", "files", res.Files, "read", res.Read, "photos", res.Photos,
		"missing", res.Missing, "problems", len(res.Problems), "saved", saved, "duration", ix.clock.Now().Sub(start))
}

// libraryGone refuses a walk that found nothing while the index has files
// present: the library's disk is more likely unmounted, or its folder
// replaced by an empty one, than every photo deleted, and taking them for
// deleted would make a sync delete them on the servers too. Nothing is
// marked missing; the index fails with the cause until the files are back.
func libraryGone(entries []entry, stored []domain.LibraryFile) error {
	if len(entries) > 0 {
		return nil
	}
	present := 0
	for _, f := range stored {
		if !f.Missing {
			present++
		}
	}
	if present == 0 {
		return nil
	}
	return domain.Errorf(domain.EUNAVAILABLE, "the library folder is empty, but %d files were in it at the last index: is its disk mounted? "+
		"Nothing was marked deleted", present)
}

// storedPhotos answers, of files as stored, how many photos they stack
// into and the files with a problem, by path as Stack orders them.
func storedPhotos(files []domain.LibraryFile) (int, []domain.LibraryFile) {
	photos := map[int64]struct{}{}
	var problems []domain.LibraryFile
	for _, f := range files {
		if f.PhotoID != 0 {
			photos[f.PhotoID] = struct{}{}
		}
		if f.Problem != "" {
			problems = append(problems, f)
		}
	}
	slices.SortFunc(problems, func(a, b domain.LibraryFile) int { return strings.Compare(a.Path, b.Path) })
	return len(photos), problems
}

// Problems returns the files of the library with a problem, as of the last
// index.
func (ix *Indexer) Problems(ctx context.Context) ([]domain.LibraryFile, error) {
	return ix.store.Problems(ctx)
}

// walk lists the library, each file with its index entry when it has one.
func (ix *Indexer) walk(ctx context.Context, stored []domain.LibraryFile, byPath map[string]int) ([]entry, error) {
	entries := make([]entry, 0, len(stored))
	err := ix.lib.Walk(ctx, func(fi domain.FileInfo) error {
		e := entry{fi: fi, at: -1}
		if i, ok := byPath[fi.Path]; ok {
			e.old, e.at = &stored[i], i
		}
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// plan sets what is known without reading of each entry: the problem of a
// file that cannot be listed or is empty, what was read before of an
// unchanged file (unless deep). It returns the indexes of the entries to
// read, and their bytes.
func plan(entries []entry, deep bool) (toRead []int, bytes int64) {
	for i := range entries {
		e := &entries[i]
		switch {
		case e.fi.Size < 0:
			e.info.Problem = domain.ProblemUnreadable
		case e.fi.Size == 0:
			e.info.Problem = domain.ProblemEmpty
		case !deep && e.old != nil && reusable(*e.old, e.fi):
			e.info = storedInfo(*e.old)
		default:
			toRead = append(toRead, i)
			bytes += e.fi.Size
		}
	}
	return toRead, bytes
}

// reportKnown counts the files that are not read: unchanged ones as
// Skipped, their known problems included; an empty file found in this run,
// or one that cannot be listed, as Failed.
func reportKnown(p *Progress, entries []entry) {
	for _, e := range entries {
		switch {
		case e.info.SHA1 != "" || (e.old != nil && e.old.Unchanged(e.fi) && e.old.Problem == domain.ProblemEmpty):
			p.FileDone(e.fi.Path, Skipped, nil)
		case e.info.Problem != "":
			reportFile(p, e.fi.Path, e.info, Skipped)
		}
	}
}

// readAll reads the entries at the indexes toRead with IndexWorkers
// workers. Only the context's end is an error: a file that cannot be read
// gets ProblemUnreadable with the cause.
func (ix *Indexer) readAll(ctx context.Context, p *Progress, entries []entry, toRead []int, opts IndexOptions) error {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(IndexWorkers, len(toRead)) {
		wg.Go(func() {
			for i := range work {
				if ctx.Err() != nil {
					continue // drain: a select may still hand out work after the end
				}
				e := &entries[i]
				info, err := ix.read(ctx, e.fi, opts.Deep)
				if err != nil {
					if ctx.Err() != nil {
						continue // the index stops; the error is the context's
					}
					ix.log.Warn("cannot read a library file", "path", e.fi.Path, "err", err)
					info = domain.MediaInfo{Problem: domain.ProblemUnreadable + ": " + cause(err)}
				}
				e.info = info
				p.AddBytes(e.fi.Size)
				reportFile(p, e.fi.Path, info, Indexed)
				if opts.Read != nil && ctx.Err() == nil {
					opts.Read(fileOf(*e, ix.clock.Now()))
				}
			}
		})
	}
feed:
	for _, i := range toRead {
		if ctx.Err() != nil {
			break
		}
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

func (ix *Indexer) read(ctx context.Context, fi domain.FileInfo, deep bool) (domain.MediaInfo, error) {
	r, err := ix.lib.Open(ctx, fi.Path)
	if err != nil {
		return domain.MediaInfo{}, err
	}
	defer r.Close()
	if di, ok := ix.inspector.(ports.DeepInspector); ok && deep {
		return di.InspectDeep(ctx, fi.Path, r, fi.Size)
	}
	return ix.inspector.Inspect(ctx, fi.Path, r, fi.Size)
}

// reportFile counts one file: Failed with its problem when it has one,
// else the given outcome.
func reportFile(p *Progress, path string, info domain.MediaInfo, ok Outcome) {
	if info.Problem != "" {
		p.FileDone(path, Failed, domain.Errorf(domain.EINVALID, "%s", info.Problem))
		return
	}
	p.FileDone(path, ok, nil)
}

// reusable reports whether what was read of a file before still holds:
// it is unchanged on disk and was read then. A file that could not be read
// is tried again, since permissions change without touching the
// modification time.
func reusable(old domain.LibraryFile, fi domain.FileInfo) bool {
	return old.Unchanged(fi) && old.SHA1 != "" && !strings.HasPrefix(old.Problem, domain.ProblemUnreadable)
}

// storedInfo returns what reading a file told before, from its index
// entry: problems found in its content are kept, those found by stacking
// are found again.
func storedInfo(f domain.LibraryFile) domain.MediaInfo {
	info := domain.MediaInfo{SHA1: f.SHA1, Orientation: f.Orientation, Width: f.Width, Height: f.Height}
	if strings.HasPrefix(f.Problem, domain.ProblemCorrupt) {
		info.Problem = f.Problem
	}
	if f.TakenSource == domain.TakenFromEXIF {
		info.TakenAt = f.TakenAt
	}
	return info
}

func fileOf(e entry, now time.Time) domain.LibraryFile {
	f := domain.LibraryFile{
		Path: e.fi.Path, Kind: domain.KindOf(e.fi.Path), Size: max(e.fi.Size, 0), ModTime: e.fi.ModTime,
		Changed: e.fi.Changed, Inode: e.fi.Inode,
		SHA1: e.info.SHA1, Orientation: e.info.Orientation, Width: e.info.Width, Height: e.info.Height,
		Problem: e.info.Problem,
	}
	if e.old != nil {
		f.ID = e.old.ID
	}
	f.TakenAt, f.TakenSource = domain.DateTaken(e.fi.Path, e.info.TakenAt, e.fi.ModTime, now)
	return f
}

// storedPhotoID answers the ID of the stored photo a photo just stacked
// is: every file as stored, in that one photo.
func storedPhotoID(stored []domain.LibraryFile, byPath map[string]int, p domain.Photo) (int64, bool) {
	var id int64
	for _, f := range p.Files {
		i, ok := byPath[f.Path]
		if !ok || !sameFile(stored[i], f) || stored[i].PhotoID == 0 || (id != 0 && stored[i].PhotoID != id) {
			return 0, false
		}
		id = stored[i].PhotoID
	}
	return id, id != 0
}

func sameFile(old, f domain.LibraryFile) bool {
	return old.Role == f.Role && old.Problem == f.Problem && sameContent(old, f)
}

// sameRead reports whether a file as read in this run (f, not stacked yet:
// no role, and no problem that stacking gives) is as stored.
func sameRead(old, f domain.LibraryFile) bool {
	return (old.Problem == f.Problem || f.Problem == "" && old.Problem == domain.ProblemOrphan) && sameContent(old, f)
}

// sameContent compares what the index knows of a file, apart from its
// place in a photo.
func sameContent(old, f domain.LibraryFile) bool {
	return !old.Missing && old.Kind == f.Kind && old.Size == f.Size &&
		old.ModTime.Equal(f.ModTime) && old.SHA1 == f.SHA1 && old.TakenAt.Equal(f.TakenAt) &&
		old.TakenSource == f.TakenSource && old.Orientation == f.Orientation && old.Width == f.Width &&
		old.Height == f.Height && old.Changed.Equal(f.Changed) && old.Inode == f.Inode
}

// cause returns why a file could not be read, in words and without the
// absolute path an *fs.PathError carries.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Message != "" {
		return de.Message
	}
	return err.Error()
}
