package jsonview

import (
	"time"

	"github.com/photosync/photosync/app"
)

// Watch is the JSON view of the library watcher (GET /api/v1/watch).
type Watch struct {
	// Watching: `serve` watches the library and backs new photos up
	// within seconds.
	Watching bool       `json:"watching"`
	Since    *time.Time `json:"since"`
	// LastEvent is the newest change seen; null before the first.
	LastEvent *WatchEvent `json:"last_event"`
	// FellBack says why the watcher fell back to full walks; empty while
	// it sees everything.
	FellBack   string     `json:"fell_back"`
	FellBackAt *time.Time `json:"fell_back_at"`
	// Incomplete: part of the library goes unseen, and it is walked
	// regularly instead.
	Incomplete bool       `json:"incomplete"`
	Runs       int        `json:"runs"`
	LastRunAt  *time.Time `json:"last_run_at"`
	// Files are the newest files the watcher saw arrive, newest first,
	// with how far their backup is: pending (waiting for the quiet
	// period), sending, verified or failed.
	Files []WatchFile `json:"files"`
}

// WatchFile is a library file the watcher saw arrive.
type WatchFile struct {
	Path  string `json:"path"`
	State string `json:"state"`
}

// WatchEvent is one change the watcher saw.
type WatchEvent struct {
	Kind   string    `json:"kind"` // created, changed, moved, removed, overflow, incomplete
	Path   string    `json:"path"`
	Folder bool      `json:"folder"`
	At     time.Time `json:"at"`
}

// FromWatch returns the JSON view of the watcher's status.
func FromWatch(s app.WatchStatus) Watch {
	j := Watch{Watching: s.Watching, Since: timeOrNil(s.Since), FellBack: s.FellBack, FellBackAt: timeOrNil(s.FellBackAt),
		Incomplete: s.Incomplete, Runs: s.Runs, LastRunAt: timeOrNil(s.LastRunAt)}
	j.Files = make([]WatchFile, 0, len(s.Files))
	for _, f := range s.Files {
		j.Files = append(j.Files, WatchFile{Path: f.Path, State: string(f.State)})
	}
	if s.LastEvent.Kind != 0 {
		j.LastEvent = &WatchEvent{Kind: s.LastEvent.Kind.String(), Path: s.LastEvent.Path, Folder: s.LastEvent.Folder, At: s.LastEventAt.UTC()}
	}
	return j
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
