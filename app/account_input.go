package app

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// AccountInput is what a person sends to connect or change an account. A
// nil field is left as it is (or at its default, when connecting).
type AccountInput struct {
	Name       *string
	URL        *string
	Username   *string
	Password   *string
	CACert     *string
	Timeout    *time.Duration
	RetryLimit *int

	UploadEnabled *bool
	UploadFolder  *string
	UploadSize    *string

	SyncEnabled       *bool
	SyncFolder        *string
	SyncInterval      *time.Duration
	SyncDownload      *bool
	SyncUpload        *bool
	SyncPreserveNames *bool
	SyncRaw           *bool
	SyncVideo         *bool
	SyncOnChange      *bool
}

// changesConnection reports whether the input touches what it takes to
// reach the server, so the connection must be tested again.
func (in AccountInput) changesConnection(a domain.Account) bool {
	return (in.URL != nil && *in.URL != a.URL) ||
		(in.Username != nil && *in.Username != a.Username) ||
		in.Password != nil ||
		(in.CACert != nil && *in.CACert != a.CACert) ||
		(in.Timeout != nil && *in.Timeout != a.Timeout)
}

// apply copies the settings in the input onto a; the password is sealed
// separately.
func (in AccountInput) apply(a *domain.Account) {
	set(&a.Name, in.Name)
	set(&a.URL, in.URL)
	set(&a.Username, in.Username)
	set(&a.CACert, in.CACert)
	set(&a.Timeout, in.Timeout)
	set(&a.RetryLimit, in.RetryLimit)
	set(&a.UploadEnabled, in.UploadEnabled)
	set(&a.UploadFolder, in.UploadFolder)
	set(&a.UploadSize, in.UploadSize)
	set(&a.SyncEnabled, in.SyncEnabled)
	set(&a.SyncFolder, in.SyncFolder)
	set(&a.SyncInterval, in.SyncInterval)
	set(&a.SyncDownload, in.SyncDownload)
	set(&a.SyncUpload, in.SyncUpload)
	set(&a.SyncPreserveNames, in.SyncPreserveNames)
	set(&a.SyncRaw, in.SyncRaw)
	set(&a.SyncVideo, in.SyncVideo)
	set(&a.SyncOnChange, in.SyncOnChange)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
