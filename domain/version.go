package domain

import "time"

// Version is a library file that a sync replaced, kept so that it can be
// brought back: the last good copy is never destroyed.
type Version struct {
	ID        string // opaque, stable, safe in a URL path
	Path      string // library-relative path the file had
	Size      int64
	SHA1      string    // lower-case hex of its bytes
	ModTime   time.Time // its modification time when it was kept
	KeptAt    time.Time
	AccountID int64  // the account whose run replaced it; 0 when none
	Reason    string // why it was replaced, for a person
}
