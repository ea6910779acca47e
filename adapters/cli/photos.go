package cli

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// index runs `photosync index [--deep] [--json]`: it indexes the library
// now, showing progress (a bar on a terminal, plain lines otherwise), then
// prints the counts and every file with a problem and its cause. Problems
// are findings, not failures: the command exits 0 with them. --deep reads
// every file again and decodes every image whole.
func (c *CLI) index(ctx context.Context, args []string) error {
	fs := newFlags("index")
	asJSON := fs.Bool("json", false, "print JSON")
	deep := fs.Bool("deep", false, "read every file again, changed or not, and decode every image whole (slow; finds damage inside image data)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	return c.withServices(ctx, func(s *app.App) error {
		var p *app.Progress
		var pp *progressPrinter
		var mu sync.Mutex // Progress calls notify from several workers
		if !*asJSON {
			pp = newProgressPrinter(c.Stdout, isTerminal(c.Stdout, c.Getenv), time.Now)
			p = app.NewProgress(domain.Job{Kind: domain.JobIndex, State: domain.JobRunning}, func(j domain.Job) {
				mu.Lock()
				defer mu.Unlock()
				pp.update(j)
			})
		}
		res, err := s.Indexer.IndexWith(ctx, p, app.IndexOptions{Deep: *deep})
		if pp != nil {
			mu.Lock()
			pp.eraseBar()
			mu.Unlock()
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.FromIndexResult(res))
		}
		printIndexResult(c.Stdout, res)
		return nil
	})
}

// eraseBar blanks the progress bar on a terminal.
func (pp *progressPrinter) eraseBar() {
	if pp.tty && pp.width > 0 {
		fmt.Fprint(pp.w, "\r"+strings.Repeat(" ", pp.width)+"\r")
		pp.width = 0
	}
}

func printIndexResult(w io.Writer, res domain.IndexResult) {
	fmt.Fprintf(w, "Indexed %d files: %d photos, %d files read, %d missing, %d with problems.\n",
		res.Files, res.Photos, res.Read, res.Missing, len(res.Problems))
	if len(res.Problems) == 0 {
		return
	}
	fmt.Fprintln(w, "\nProblems:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range res.Problems {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Path, f.Problem)
	}
	tw.Flush()
}

// photos runs `photosync photos [--q TEXT] [--kind K] [--offset N]
// [--count N] [--json]`: every photo matching, newest taken first, or one
// page of them when --count is given.
func (c *CLI) photos(ctx context.Context, args []string) error {
	fs := newFlags("photos")
	asJSON := fs.Bool("json", false, "print JSON")
	text := fs.String("q", "", "only photos whose name or folder contains TEXT")
	kind := fs.String("kind", "", "only photos with a file of this kind: image, raw, video or sidecar")
	offset := fs.Int("offset", 0, "skip this many photos")
	count := fs.Int("count", 0, fmt.Sprintf("list at most this many photos (up to %d); default all", domain.MaxPhotoPage))
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	switch domain.Kind(*kind) {
	case domain.KindNone, domain.KindImage, domain.KindRaw, domain.KindVideo, domain.KindSidecar:
	default:
		return usagef("photos: --kind %q is not image, raw, video or sidecar", *kind)
	}
	if *offset < 0 || *count < 0 || *count > domain.MaxPhotoPage {
		return usagef("photos: --offset must be 0 or more and --count from 1 to %d", domain.MaxPhotoPage)
	}
	q := domain.PhotoQuery{Text: *text, Kind: domain.Kind(*kind), Offset: *offset, Count: *count}
	return c.withServices(ctx, func(s *app.App) error {
		var all []domain.Photo
		var total int
		for {
			page := q
			if q.Count == 0 {
				page.Count = domain.MaxPhotoPage
			}
			list, n, err := s.Photos.List(ctx, page)
			if err != nil {
				return err
			}
			all, total = append(all, list...), n
			if q.Count != 0 || len(list) == 0 || q.Offset+len(list) >= n {
				break
			}
			q.Offset += len(list)
		}
		if *asJSON {
			return writeJSON(c.Stdout, jsonview.PhotoPage{Photos: jsonview.FromPhotos(all), Total: total, Offset: *offset, Count: len(all)})
		}
		filtered := *text != "" || *kind != ""
		if total == 0 && filtered {
			fmt.Fprintln(c.Stdout, "No photo matches.")
			return nil
		}
		printPhotos(c.Stdout, all, total)
		return nil
	})
}

func printPhotos(w io.Writer, photos []domain.Photo, total int) {
	if total == 0 {
		fmt.Fprintln(w, "No photos. Index the library with: photosync index")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTAKEN\tPHOTO\tFILES\tUPLOADED TO")
	for _, p := range photos {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.ID, takenTime(p.TakenAt), path.Join(p.Folder, p.Name), fileKinds(p), uploadedTo(p))
	}
	tw.Flush()
	if len(photos) < total {
		fmt.Fprintf(w, "%d of %d photos.\n", len(photos), total)
	} else {
		fmt.Fprintf(w, "%d photos.\n", total)
	}
}

// takenTime shows a date taken as it reads: dates taken are wall-clock
// times represented in UTC (see domain.DateTaken), not instants to show in
// the local zone.
func takenTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}

// fileKinds names a photo's files by their extensions, primary first,
// edited copies marked: "JPG+JPG(edited)+DNG+XMP".
func fileKinds(p domain.Photo) string {
	var exts []string
	for _, f := range p.Files {
		ext := strings.ToUpper(strings.TrimPrefix(path.Ext(f.Path), "."))
		if f.Role == domain.RoleEdited {
			ext += "(edited)"
		}
		if !slices.Contains(exts, ext) {
			exts = append(exts, ext)
		}
	}
	return strings.Join(exts, "+")
}

// uploadedTo is how many accounts have a file of the photo, "-" for none.
func uploadedTo(p domain.Photo) string {
	accounts := map[int64]bool{}
	for _, ups := range p.Uploads {
		for _, u := range ups {
			accounts[u.AccountID] = true
		}
	}
	switch len(accounts) {
	case 0:
		return "-"
	case 1:
		return "1 account"
	}
	return fmt.Sprintf("%d accounts", len(accounts))
}
