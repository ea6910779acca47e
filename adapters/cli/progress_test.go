package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/domain"
)

// progressClock is a clock that tests move by hand.
type progressClock struct{ t time.Time }

func (f *progressClock) now() time.Time          { return f.t }
func (f *progressClock) advance(d time.Duration) { f.t = f.t.Add(d) }

// runningUpload is an upload of 40 files, 4 MB, with files and bytes done.
func runningUpload(files, bytes int) domain.Job {
	return domain.Job{ID: 1, Kind: domain.JobUpload, State: domain.JobRunning,
		FilesTotal: 40, FilesDone: files, BytesTotal: 4_000_000, BytesDone: int64(bytes)}
}

// endedUpload is a partial upload: 12 uploaded, 3 skipped, 1 failed, 2.3 MB in 4.1 s.
func endedUpload() domain.Job {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	return domain.Job{ID: 1, Kind: domain.JobUpload, State: domain.JobPartial,
		FilesTotal: 16, FilesDone: 16, BytesTotal: 2_300_000, BytesDone: 2_300_000,
		Uploaded: 12, Skipped: 3, Failed: 1,
		Errors:    []domain.JobError{{Path: "2024/IMG_0001.JPG", Message: "the server stored 0 of 2048 bytes"}},
		StartedAt: start, FinishedAt: start.Add(4100 * time.Millisecond)}
}

func TestProgressPlainLines(t *testing.T) {
	var out strings.Builder
	clk := &progressClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	pp := cli.NewProgressPrinter(&out, false, clk.now)
	pp.Update(domain.Job{ID: 1, Kind: domain.JobUpload, State: domain.JobQueued})
	pp.Update(runningUpload(0, 0))
	clk.advance(500 * time.Millisecond)
	pp.Update(runningUpload(1, 100_000)) // too soon, same tenth: no line
	clk.advance(500 * time.Millisecond)
	pp.Update(runningUpload(4, 400_000)) // another tenth: a line
	clk.advance(100 * time.Millisecond)
	pp.Update(runningUpload(5, 500_000)) // too soon, same tenth
	clk.advance(2 * time.Second)
	pp.Update(runningUpload(6, 600_000)) // two seconds on: a line
	clk.advance(2 * time.Second)
	pp.Update(runningUpload(6, 600_000)) // nothing changed: no line
	pp.Finish(endedUpload())

	want := "upload: 0/40 files, 0 B of 4.0 MB (0%)\n" +
		"upload: 4/40 files, 400.0 kB of 4.0 MB (10%)\n" +
		"upload: 6/40 files, 600.0 kB of 4.0 MB (15%)\n" +
		"upload: 12 uploaded, 3 skipped, 1 failed (2.3 MB in 4.1s)\n" +
		"  failed: 2024/IMG_0001.JPG: the server stored 0 of 2048 bytes\n"
	if out.String() != want {
		t.Fatalf("plain output:\n%s\nwant:\n%s", out.String(), want)
	}
	if strings.Contains(out.String(), "\r") {
		t.Error("plain output redraws with \\r")
	}
}

func TestProgressTerminalBar(t *testing.T) {
	var out strings.Builder
	clk := &progressClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	pp := cli.NewProgressPrinter(&out, true, clk.now)
	pp.Update(runningUpload(0, 0))
	for range 9 { // 9 updates within 90 ms: no redraw
		clk.advance(10 * time.Millisecond)
		pp.Update(runningUpload(1, 100_000))
	}
	if n := strings.Count(out.String(), "\r"); n != 1 {
		t.Fatalf("%d draws for updates within 100 ms, want 1: %q", n, out.String())
	}
	clk.advance(1910 * time.Millisecond) // 2 s after the start, 1 MB done: 500 kB/s, 3 MB left
	pp.Update(runningUpload(10, 1_000_000))
	draws := strings.Split(out.String(), "\r")
	last := draws[len(draws)-1]
	for _, want := range []string{"upload [######------------------]  25%", "10/40 files", "1.0 MB/4.0 MB", "500.0 kB/s", "ETA 0:06"} {
		if !strings.Contains(last, want) {
			t.Errorf("bar %q lacks %q", last, want)
		}
	}
	pp.Finish(endedUpload())
	summary := "upload: 12 uploaded, 3 skipped, 1 failed (2.3 MB in 4.1s)\n  failed: 2024/IMG_0001.JPG: the server stored 0 of 2048 bytes\n"
	if !strings.HasSuffix(out.String(), "\r"+summary) {
		t.Errorf("the summary does not follow a cleared line: %q", out.String())
	}
	blank := "\r" + strings.Repeat(" ", len(strings.TrimRight(last, " "))) + "\r"
	if !strings.Contains(out.String(), blank) {
		t.Errorf("the bar is not blanked before the summary: %q", out.String())
	}
}

func TestJobSummaries(t *testing.T) {
	base := endedUpload()
	for _, tc := range []struct {
		name string
		edit func(*domain.Job)
		want string
	}{
		{"cancelled", func(j *domain.Job) { j.State = domain.JobCancelled }, "upload cancelled: 12 uploaded, 3 skipped, 1 failed (2.3 MB in 4.1s)"},
		{"failed", func(j *domain.Job) { j.State, j.Error = domain.JobFailed, "account 3 not found" }, "upload failed: 12 uploaded"},
		{"sync", func(j *domain.Job) { j.Kind, j.Downloaded = domain.JobSync, 5 }, "sync: 5 downloaded, 12 uploaded, 3 skipped, 1 failed"},
		{"index", func(j *domain.Job) { j.Kind = domain.JobIndex }, "index: 16 files, 1 failed"},
		{"minutes", func(j *domain.Job) { j.FinishedAt = j.StartedAt.Add(192500 * time.Millisecond) }, "(2.3 MB in 3m13s)"},
		{"never started", func(j *domain.Job) { j.StartedAt = time.Time{} }, "(2.3 MB in 0.0s)"},
		{"gigabytes", func(j *domain.Job) { j.BytesDone = 1_234_567_890 }, "(1.2 GB in 4.1s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := base
			tc.edit(&j)
			var out strings.Builder
			cli.NewProgressPrinter(&out, false, time.Now).Finish(j)
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("summary %q lacks %q", out.String(), tc.want)
			}
		})
	}
}

// TestProgressVerifying: once every byte is with the server and it has not
// confirmed them all, the bar says "verifying…" instead of a time left of
// 0:00, and counts only the confirmed bytes.
func TestProgressVerifying(t *testing.T) {
	var out strings.Builder
	clk := &progressClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	pp := cli.NewProgressPrinter(&out, true, clk.now)
	pp.Update(runningUpload(0, 0))
	clk.advance(2 * time.Second)
	j := runningUpload(30, 3_000_000)
	j.BytesSent = 1_000_000 // the rest is with the server, being checked
	pp.Update(j)
	draws := strings.Split(out.String(), "\r")
	last := draws[len(draws)-1]
	if !strings.Contains(last, "3.0 MB/4.0 MB") || !strings.Contains(last, "verifying…") || strings.Contains(last, "ETA") {
		t.Errorf("bar while the server checks the last files: %q", last)
	}
	var plain strings.Builder
	cli.NewProgressPrinter(&plain, false, clk.now).Update(j)
	if !strings.Contains(plain.String(), "30/40 files, 3.0 MB of 4.0 MB (75%), verifying…") {
		t.Errorf("plain line while the server checks the last files: %q", plain.String())
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{24 * time.Hour, "24h"}, {90 * time.Minute, "1h30m"}, {time.Minute, "1m"}, {90 * time.Second, "1m30s"}, {4100 * time.Millisecond, "4.1s"}, {0, "0s"}} {
		if got := cli.Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestProgressSyncIndexing: while a sync's index still reads the library
// (and the sync already sends what it read), the line shows both; once
// the index is done, only the transfers.
func TestProgressSyncIndexing(t *testing.T) {
	clk := &progressClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	j := domain.Job{ID: 1, Kind: domain.JobSync, State: domain.JobRunning,
		IndexFilesTotal: 400, IndexFilesDone: 120, IndexBytesTotal: 3_100_000_000, IndexBytesDone: 1_200_000_000}
	var plain strings.Builder
	pp := cli.NewProgressPrinter(&plain, false, clk.now)
	pp.Update(j) // nothing sent yet: the index alone
	clk.advance(time.Minute)
	j.FilesTotal, j.FilesDone, j.BytesTotal, j.BytesDone = 30, 10, 200_000_000, 50_000_000
	pp.Update(j)
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "indexed 120/400 files, 1.2 GB/3.1 GB") ||
		!strings.Contains(lines[1], "10/30 files, 50.0 MB of 200.0 MB (25%), indexed 120/400 files") {
		t.Errorf("plain lines while the index reads: %q", lines)
	}
	var bar strings.Builder
	cli.NewProgressPrinter(&bar, true, clk.now).Update(j)
	if !strings.Contains(bar.String(), "indexed 120/400 files") {
		t.Errorf("bar while the index reads: %q", bar.String())
	}
	j.IndexFilesDone, j.IndexBytesDone = 400, 3_100_000_000
	var done strings.Builder
	cli.NewProgressPrinter(&done, false, clk.now).Update(j)
	if strings.Contains(done.String(), "indexed") {
		t.Errorf("line once the index is done: %q", done.String())
	}
}

// TestSkippedNamesAreNotCalledFailed: a file a sync skipped because no
// server takes its name is listed as skipped, not failed, and does not
// take a failed file's place in the "... and N more" count.
func TestSkippedNamesAreNotCalledFailed(t *testing.T) {
	var out strings.Builder
	pp := cli.NewProgressPrinter(&out, false, time.Now)
	j := endedUpload()
	j.Kind, j.Failed = domain.JobSync, 3
	j.Errors = append([]domain.JobError{{Path: `a\b.jpg`, Message: "skipped: the server cannot take this name"}}, j.Errors...)
	pp.Finish(j)
	for _, want := range []string{
		"  skipped: a\\b.jpg: the server cannot take this name\n",
		"  failed: 2024/IMG_0001.JPG: the server stored 0 of 2048 bytes\n",
		"  ... and 2 more failed files\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary %q lacks %q", out.String(), want)
		}
	}
	if strings.Contains(out.String(), `failed: a\b.jpg`) {
		t.Errorf("the skipped name is called failed: %q", out.String())
	}
}
