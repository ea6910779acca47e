package jsonview

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// BackupCounts are the numbers of files in each backup state.
type BackupCounts struct {
	Verified   int `json:"verified"`
	Unverified int `json:"unverified"`
	Pending    int `json:"pending"`
	Failed     int `json:"failed"`
	Excluded   int `json:"excluded"`
}

func countsOf(c domain.BackupCount) BackupCounts {
	return BackupCounts{Verified: c.Verified, Unverified: c.Unverified, Pending: c.Pending, Failed: c.Failed, Excluded: c.Excluded}
}

// BackupYear is the counts of one year taken (0: unknown).
type BackupYear struct {
	Year int `json:"year"`
	BackupCounts
}

// BackupFolder is the counts of one library folder ("" the root).
type BackupFolder struct {
	Folder string `json:"folder"`
	BackupCounts
}

// BackupGap is one file not (or no longer) on the server.
type BackupGap struct {
	Path       string `json:"path"`
	State      string `json:"state"`
	Reason     string `json:"reason"`
	RemotePath string `json:"remote_path,omitempty"`
}

// Backup is an account's backup status: GET /api/v1/accounts/{id}/backup
// and photosync status --json. files counts the files backed up (every
// state but excluded), bytes their size; last_verified_at is the newest
// proof, oldest_verified_at the oldest (null for none); gaps are one page
// of the files pending or failed, gaps_total all of them.
type Backup struct {
	AccountID int64 `json:"account_id"`
	Files     int   `json:"files"`
	BackupCounts
	Bytes            int64          `json:"bytes"`
	Coverage         float64        `json:"coverage"` // verified / files, 0 to 1
	LastVerifiedAt   *time.Time     `json:"last_verified_at"`
	OldestVerifiedAt *time.Time     `json:"oldest_verified_at"`
	ByYear           []BackupYear   `json:"by_year"`
	ByFolder         []BackupFolder `json:"by_folder"`
	Gaps             []BackupGap    `json:"gaps"`
	GapsTotal        int            `json:"gaps_total"`
	GapsOffset       int            `json:"gaps_offset"`
}

// FromBackup returns the JSON view of a status with the gaps from offset,
// at most limit of them (every one for limit < 0).
func FromBackup(s domain.BackupStatus, offset, limit int) Backup {
	out := Backup{
		AccountID: s.AccountID, Files: s.Files, BackupCounts: countsOf(s.BackupCount), Bytes: s.Bytes, Coverage: s.Coverage(),
		LastVerifiedAt: jobTime(s.LastVerifiedAt), OldestVerifiedAt: jobTime(s.OldestVerifiedAt),
		ByYear: make([]BackupYear, 0, len(s.ByYear)), ByFolder: make([]BackupFolder, 0, len(s.ByFolder)), Gaps: []BackupGap{},
		GapsOffset: offset,
	}
	for _, y := range s.ByYear {
		out.ByYear = append(out.ByYear, BackupYear{Year: y.Year, BackupCounts: countsOf(y)})
	}
	for _, f := range s.ByFolder {
		out.ByFolder = append(out.ByFolder, BackupFolder{Folder: f.Folder, BackupCounts: countsOf(f)})
	}
	gaps := s.Gaps()
	out.GapsTotal = len(gaps)
	if offset > len(gaps) {
		offset = len(gaps)
	}
	gaps = gaps[offset:]
	if limit >= 0 && len(gaps) > limit {
		gaps = gaps[:limit]
	}
	for _, g := range gaps {
		out.Gaps = append(out.Gaps, BackupGap{Path: g.Path, State: string(g.State), Reason: g.Reason, RemotePath: g.RemotePath})
	}
	return out
}
