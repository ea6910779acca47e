package domain

import "time"

// SyncSettings are an account's sync options, with the library folder that
// downloads go to.
type SyncSettings struct {
	AccountID      int64
	Folder         string // remote sync folder, clean
	Download       bool
	Upload         bool
	PreserveNames  bool
	Raw            bool
	Video          bool
	RetryLimit     int
	DownloadFolder string // library-relative folder for downloads, e.g. "nextcloud"
}

// SyncSettingsOf returns the sync settings of an account.
func SyncSettingsOf(a Account, downloadFolder string) SyncSettings {
	return SyncSettings{
		AccountID: a.ID, Folder: a.SyncFolder, Download: a.SyncDownload, Upload: a.SyncUpload,
		PreserveNames: a.SyncPreserveNames, Raw: a.SyncRaw, Video: a.SyncVideo,
		RetryLimit: a.RetryLimit, DownloadFolder: downloadFolder,
	}
}

// SyncPair is a file known to be the same on both sides: what was last
// transferred or found identical. It lets a sync tell which side changed,
// and keeps a file that came down from going back up (and the reverse).
type SyncPair struct {
	AccountID     int64
	LocalPath     string // library-relative
	RemotePath    string // clean, relative to the account's endpoint
	Size          int64
	LocalModTime  time.Time
	RemoteModTime time.Time
	ETag          string
	SHA1          string
	SyncedAt      time.Time
	// A deletion on one side is remembered, never propagated: the file is
	// not copied back until the person restores it.
	LocalDeleted  bool
	RemoteDeleted bool
}

// SyncDirection is the way a file moves.
type SyncDirection string

// Directions.
const (
	SyncDown SyncDirection = "down"
	SyncUp   SyncDirection = "up"
)

// SyncFailure counts the failed attempts at one file across runs.
type SyncFailure struct {
	AccountID     int64
	Direction     SyncDirection
	LocalPath     string
	RemotePath    string
	Attempts      int
	LastError     string
	LastAttemptAt time.Time
	NextAttemptAt time.Time
	Failed        bool // the retry limit was reached; only a person's retry clears it
}

// SyncOp is what a planned action does.
type SyncOp string

// Planned actions.
const (
	OpDownload         SyncOp = "download"          // a remote file the library does not have
	OpUpload           SyncOp = "upload"            // a library file the server does not have
	OpUpdateLocal      SyncOp = "update_local"      // the remote changed, the local copy did not
	OpUploadAgain      SyncOp = "upload_again"      // the local copy changed, the remote did not
	OpKeepBoth         SyncOp = "keep_both"         // both changed: the remote version is saved beside as a conflict copy
	OpRememberDeletion SyncOp = "remember_deletion" // gone on one side: remembered, not propagated
	OpSkip             SyncOp = "skip"              // not moved, with a reason
	OpLink             SyncOp = "link"              // the same file is on both sides already: record the pair
	OpForget           SyncOp = "forget"            // gone on both sides: drop the pair
)

// SyncAction is one step of a sync plan.
type SyncAction struct {
	Op         SyncOp
	Direction  SyncDirection // for transfers
	LocalPath  string        // library-relative; "" for a download with normalised names, named after the download
	RemotePath string
	// ConflictPath is the library path where OpKeepBoth saves the remote
	// version (two-way only).
	ConflictPath string
	Size         int64
	Remote       RemoteFile
	Local        LibraryFile
	Reason       string // for OpSkip and OpRememberDeletion, in words
	// Truncated marks an OpUpload whose RemotePath holds Remote, a
	// truncated copy of Local (see SyncInput.Truncated): the executor
	// removes it, when it is still as listed, before sending Local.
	Truncated bool
	// Unmovable marks an OpSkip a person must act on, as no later run
	// will move the file either: its name cannot exist on the other side
	// (a backslash or control characters in a library name, an unsafe
	// name from the server). The run lists it among its errors, without
	// counting it as failed.
	Unmovable bool
}

// SyncPlan is what a run will do, in order: downloads first, then uploads.
type SyncPlan struct {
	Actions []SyncAction
	// CreateFolder is the sync folder when it does not exist yet and
	// the run will create it (a dry run plans as if it were empty).
	CreateFolder string
}

// SyncRun records one run of an account's sync.
type SyncRun struct {
	ID         int64
	AccountID  int64
	JobID      int64
	DryRun     bool
	StartedAt  time.Time
	FinishedAt time.Time
	Downloaded int
	Uploaded   int
	BytesDown  int64
	BytesUp    int64
	Skipped    int
	Failed     int
	Errors     []JobError // the first MaxJobErrors
	Error      string     // why the run stopped, when it did
	Complete   bool       // the run listed and handled everything
}

// RemoteFolder is a remote folder's ETag and its files as last listed, so
// an unchanged folder need not be listed again on servers that propagate
// folder ETags.
type RemoteFolder struct {
	Path  string
	ETag  string
	Files []RemoteFile // direct children, files and folders
}

// UploadedCopy is what a manual upload put at a remote path below the
// sync folder: a copy of a library file, as it was or resized.
type UploadedCopy struct {
	LocalPath string
	Resized   bool
}

// SyncInput is everything the planner looks at.
type SyncInput struct {
	Settings SyncSettings
	Remote   []RemoteFile  // every file below the sync folder (folders left out)
	Local    []LibraryFile // the library index, missing files included
	Pairs    []SyncPair
	Failures []SyncFailure
	// Uploaded are the unpaired remote files that manual uploads put in
	// the sync folder, by remote path: one model for uploads and sync, so
	// that a photo uploaded by hand is neither downloaded back nor sent
	// again. An original is linked to its library file when their bytes
	// are the same; no such copy is ever downloaded.
	Uploaded map[string]UploadedCopy
	// Truncated are unpaired remote files found, by reading them, to hold
	// the first bytes of an unpaired library file whose upload path they
	// are: an upload a killed run cut short. By remote path, the library
	// path. The library file is sent over such a copy (OpUpload with
	// Truncated) rather than beside it, and the copy is not downloaded.
	Truncated map[string]string
	// Undecided are unpaired remote files that may be an unrecorded copy
	// of an unpaired library file but could not be read to tell: by
	// remote path, the library path. The planner leaves both out of this
	// plan (a later run looks again) rather than keep a second copy of
	// one file.
	Undecided map[string]string
	Now       time.Time
}
