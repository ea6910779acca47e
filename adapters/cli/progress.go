package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// How often progress is shown: a terminal's bar is redrawn at most every
// redrawEvery; without a terminal a line is printed at most every
// lineEvery, or when another tenth of the work is done.
const (
	redrawEvery = 100 * time.Millisecond
	lineEvery   = 2 * time.Second
	barWidth    = 24
)

// isTerminal reports whether w is a terminal, where a progress bar can be
// redrawn in place. TERM=dumb asks for plain lines.
func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || (getenv != nil && getenv("TERM") == "dumb") {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter shows a job's progress: on a terminal a bar redrawn in
// place with \r (files, bytes, rate, time left), elsewhere plain lines for
// logs; then a summary line with the failed files and their causes.
type progressPrinter struct {
	w   io.Writer
	tty bool
	now func() time.Time

	start      time.Time // when the first update came, for the rate
	startBytes int64
	last       time.Time // last redraw or line
	lastLine   string    // plain: the last line printed
	lastTenth  int       // plain: the tenth of the work of that line
	width      int       // tty: the length of the bar drawn, to blank it
}

func newProgressPrinter(w io.Writer, tty bool, now func() time.Time) *progressPrinter {
	return &progressPrinter{w: w, tty: tty, now: now, lastTenth: -1}
}

// update shows j, unless it is too soon after the last time.
func (pp *progressPrinter) update(j domain.Job) {
	now := pp.now()
	if pp.start.IsZero() && j.State == domain.JobRunning {
		pp.start, pp.startBytes = now, j.BytesDone
	}
	if pp.tty {
		if !pp.last.IsZero() && now.Sub(pp.last) < redrawEvery {
			return
		}
		pp.last = now
		line := pp.bar(j, now)
		pad := max(pp.width-len(line), 0)
		fmt.Fprint(pp.w, "\r"+line+strings.Repeat(" ", pad))
		pp.width = len(line)
		return
	}
	if j.State == domain.JobQueued || (j.FilesTotal == 0 && j.FilesDone == 0 && j.BytesDone == 0 && !indexing(j)) {
		return // nothing to say yet (a sync learns its totals after listing)
	}
	line, tenth := progressLine(j), jobFraction(j)*10
	if line == pp.lastLine || (now.Sub(pp.last) < lineEvery && int(tenth) <= pp.lastTenth) {
		return
	}
	pp.last, pp.lastLine, pp.lastTenth = now, line, int(tenth)
	fmt.Fprintln(pp.w, line)
}

// finish clears the bar and prints how the job ended.
func (pp *progressPrinter) finish(j domain.Job) {
	if pp.tty && pp.width > 0 {
		fmt.Fprint(pp.w, "\r"+strings.Repeat(" ", pp.width)+"\r")
		pp.width = 0
	}
	fmt.Fprintln(pp.w, jobSummary(j))
	if j.Link != "" {
		fmt.Fprintf(pp.w, "Public link: %s\n", j.Link)
	}
	if j.LinkError != "" {
		fmt.Fprintf(pp.w, "No public link: %s\n", j.LinkError)
	}
	fileErrors(pp.w, j)
}

// fileErrors prints a job's file errors, a line each: "failed: PATH:
// WHY", or "skipped: PATH: WHY" for a file skipped for a reason a person
// must act on (app.SkippedPrefix); then how many failed files the list
// leaves out.
func fileErrors(w io.Writer, j domain.Job) {
	failed := 0
	for _, e := range j.Errors {
		if why, ok := strings.CutPrefix(e.Message, app.SkippedPrefix); ok {
			fmt.Fprintf(w, "  skipped: %s: %s\n", e.Path, why)
			continue
		}
		failed++
		fmt.Fprintf(w, "  failed: %s: %s\n", e.Path, e.Message)
	}
	if more := j.Failed - failed; more > 0 && failed > 0 {
		fmt.Fprintf(w, "  ... and %d more failed files\n", more)
	}
}

// bar is the terminal's progress line:
// upload [#########---------------]  38%  15/40 files  1.2 MB/3.1 MB  2.0 MB/s  ETA 0:01
func (pp *progressPrinter) bar(j domain.Job, now time.Time) string {
	if j.State == domain.JobQueued {
		return string(j.Kind) + ": waiting to start"
	}
	f := jobFraction(j)
	filled := int(f * barWidth)
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s%s] %3.0f%%  %s", j.Kind, strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled), f*100, fileCount(j))
	if j.BytesTotal > 0 {
		fmt.Fprintf(&b, "  %s/%s", domain.FormatBytes(j.BytesDone), domain.FormatBytes(j.BytesTotal))
	}
	if indexing(j) {
		b.WriteString("  " + indexCount(j))
	}
	if verifying(j) {
		// Every byte is with the server, which has not confirmed them
		// all: a time left would say 0:00 while the check runs.
		return b.String() + "  verifying…"
	}
	elapsed := now.Sub(pp.start)
	if pp.start.IsZero() || elapsed < time.Second {
		return b.String()
	}
	// From the bytes the server confirmed, not those handed to it.
	rate := float64(j.BytesDone-pp.startBytes) / elapsed.Seconds()
	if rate > 0 {
		fmt.Fprintf(&b, "  %s/s", domain.FormatBytes(int64(rate)))
		if j.BytesTotal > j.BytesDone {
			fmt.Fprintf(&b, "  ETA %s", etaClock(time.Duration(float64(j.BytesTotal-j.BytesDone)/rate*float64(time.Second))))
		}
	}
	return b.String()
}

// progressLine is a plain progress line: upload: 15/40 files, 1.2 MB of 3.1 MB (38%)
func progressLine(j domain.Job) string {
	line := fmt.Sprintf("%s: %s", j.Kind, fileCount(j))
	if j.BytesTotal > 0 {
		line += fmt.Sprintf(", %s of %s", domain.FormatBytes(j.BytesDone), domain.FormatBytes(j.BytesTotal))
	}
	if j.FilesTotal > 0 || j.BytesTotal > 0 {
		line += fmt.Sprintf(" (%.0f%%)", jobFraction(j)*100)
	}
	if indexing(j) {
		line += ", " + indexCount(j)
	}
	if verifying(j) {
		line += ", verifying…"
	}
	return line
}

// indexing reports whether a sync's index of the library is still under
// way: the sync sends files meanwhile, and the line shows both.
func indexing(j domain.Job) bool {
	return j.IndexFilesTotal > 0 && (j.IndexFilesDone < j.IndexFilesTotal || j.IndexBytesDone < j.IndexBytesTotal)
}

// indexCount is the index's part of a sync's line: indexed 120/400 files, 1.2 GB/3.1 GB
func indexCount(j domain.Job) string {
	s := fmt.Sprintf("indexed %d/%d files", j.IndexFilesDone, j.IndexFilesTotal)
	if j.IndexBytesTotal > 0 {
		s += fmt.Sprintf(", %s/%s", domain.FormatBytes(j.IndexBytesDone), domain.FormatBytes(j.IndexBytesTotal))
	}
	return s
}

// verifying reports whether every byte of an upload is with the server
// and some wait for it to confirm their files.
func verifying(j domain.Job) bool {
	return j.BytesSent > 0 && j.BytesDone+j.BytesSent >= j.BytesTotal
}

// jobSummary is the line for a job that ended:
// upload: 12 uploaded, 3 skipped, 1 failed (2.3 MB in 4.1s)
func jobSummary(j domain.Job) string {
	label := string(j.Kind)
	switch j.State {
	case domain.JobCancelled:
		label += " cancelled"
	case domain.JobFailed:
		label += " failed"
	}
	var took time.Duration
	if !j.StartedAt.IsZero() && j.FinishedAt.After(j.StartedAt) {
		took = j.FinishedAt.Sub(j.StartedAt)
	}
	return fmt.Sprintf("%s: %s (%s in %s)", label, jobCounts(j), domain.FormatBytes(j.BytesDone), jobDuration(took))
}

// jobCounts names what became of the job's files, by kind.
func jobCounts(j domain.Job) string {
	var parts []string
	add := func(n int, what string) { parts = append(parts, fmt.Sprintf("%d %s", n, what)) }
	switch j.Kind {
	case domain.JobIndex:
		add(j.FilesDone, "files")
	case domain.JobRestore:
		add(j.Downloaded, "restored")
		add(j.Skipped, "already there")
	case domain.JobVerify:
		add(j.Skipped, "sound")
		add(j.Uploaded, "repaired")
	case domain.JobSync:
		add(j.Downloaded, "downloaded")
		add(j.Uploaded, "uploaded")
		add(j.Skipped, "skipped")
	default:
		add(j.Uploaded, "uploaded")
		add(j.Skipped, "skipped")
	}
	add(j.Failed, "failed")
	return strings.Join(parts, ", ")
}

// fileCount is "done/total files", or "done files" while the total is unknown.
func fileCount(j domain.Job) string {
	if j.FilesTotal > 0 {
		return fmt.Sprintf("%d/%d files", j.FilesDone, j.FilesTotal)
	}
	return fmt.Sprintf("%d files", j.FilesDone)
}

// jobFraction is how much of the job is done, from 0 to 1: by bytes when
// their total is known, else by files.
func jobFraction(j domain.Job) float64 {
	var f float64
	switch {
	case j.BytesTotal > 0:
		f = float64(j.BytesDone) / float64(j.BytesTotal)
	case j.FilesTotal > 0:
		f = float64(j.FilesDone) / float64(j.FilesTotal)
	}
	return min(max(f, 0), 1)
}

// jobDuration is a job's run time: 4.1s, or 3m12s from a minute on.
func jobDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return duration(d.Round(time.Second))
}

// etaClock is a time left as m:ss or h:mm:ss.
func etaClock(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
