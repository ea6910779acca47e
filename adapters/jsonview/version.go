package jsonview

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// Version is a kept version of a library file, as the API and the CLI
// show it. AccountID is null for a version no account's run replaced.
type Version struct {
	ID        string    `json:"id"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	SHA1      string    `json:"sha1"`
	ModTime   time.Time `json:"mod_time"`
	KeptAt    time.Time `json:"kept_at"`
	AccountID *int64    `json:"account_id"`
	Reason    string    `json:"reason"`
}

// FromVersion returns the JSON view of a version.
func FromVersion(v domain.Version) Version {
	out := Version{ID: v.ID, Path: v.Path, Size: v.Size, SHA1: v.SHA1, ModTime: v.ModTime.UTC(), KeptAt: v.KeptAt.UTC(), Reason: v.Reason}
	if v.AccountID != 0 {
		id := v.AccountID
		out.AccountID = &id
	}
	return out
}

// FromVersions returns the JSON views of versions, an empty list for none.
func FromVersions(vs []domain.Version) []Version {
	out := make([]Version, 0, len(vs))
	for _, v := range vs {
		out = append(out, FromVersion(v))
	}
	return out
}

// Restored is the answer to a restore: the library path the version has
// now.
type Restored struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}
