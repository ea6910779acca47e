// Package jsonview is the JSON form of photosync's entities, shared by the
// HTTP API and the CLI's --json output so both speak the same fields.
package jsonview

import (
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// Account is an account as the API shows it: never with its password.
type Account struct {
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	URL               string     `json:"url"`
	Type              string     `json:"type"`
	Username          string     `json:"username"`
	UserID            string     `json:"user_id,omitempty"`
	HasPassword       bool       `json:"has_password"`
	HasCACert         bool       `json:"has_ca_cert"`
	Timeout           int64      `json:"timeout"`
	RetryLimit        int        `json:"retry_limit"`
	UploadEnabled     bool       `json:"upload_enabled"`
	UploadFolder      string     `json:"upload_folder"`
	UploadSize        string     `json:"upload_size"`
	SyncEnabled       bool       `json:"sync_enabled"`
	SyncFolder        string     `json:"sync_folder"`
	SyncInterval      int64      `json:"sync_interval"`
	SyncDownload      bool       `json:"sync_download"`
	SyncUpload        bool       `json:"sync_upload"`
	SyncPreserveNames bool       `json:"sync_preserve_names"`
	SyncRaw           bool       `json:"sync_raw"`
	SyncVideo         bool       `json:"sync_video"`
	SyncOnChange      bool       `json:"sync_on_change"`
	Status            string     `json:"status"`
	LastSyncAt        *time.Time `json:"last_sync_at"`
	LastError         string     `json:"last_error"`
	ErrorCount        int        `json:"error_count"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// FromAccount returns the JSON view of an account.
func FromAccount(a domain.Account) Account {
	j := Account{
		ID: a.ID, Name: a.Name, URL: a.URL, Type: string(a.Type), Username: a.Username, UserID: a.UserID,
		HasPassword: a.HasPassword(), HasCACert: a.CACert != "",
		Timeout: int64(a.Timeout / time.Second), RetryLimit: a.RetryLimit,
		UploadEnabled: a.UploadEnabled, UploadFolder: a.UploadFolder, UploadSize: a.UploadSize,
		SyncEnabled: a.SyncEnabled, SyncFolder: a.SyncFolder, SyncInterval: int64(a.SyncInterval / time.Second),
		SyncDownload: a.SyncDownload, SyncUpload: a.SyncUpload, SyncPreserveNames: a.SyncPreserveNames,
		SyncRaw: a.SyncRaw, SyncVideo: a.SyncVideo, SyncOnChange: a.SyncOnChange,
		Status: string(a.Status), LastError: a.LastError, ErrorCount: a.ErrorCount,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
	if !a.LastSyncAt.IsZero() {
		t := a.LastSyncAt.UTC()
		j.LastSyncAt = &t
	}
	return j
}

// AccountInput is what clients send to connect or change an account;
// absent fields are left unchanged. Durations are in seconds.
type AccountInput struct {
	Name              *string `json:"name"`
	URL               *string `json:"url"`
	Username          *string `json:"username"`
	Password          *string `json:"password"`
	CACert            *string `json:"ca_cert"`
	Timeout           *int64  `json:"timeout"`
	RetryLimit        *int    `json:"retry_limit"`
	UploadEnabled     *bool   `json:"upload_enabled"`
	UploadFolder      *string `json:"upload_folder"`
	UploadSize        *string `json:"upload_size"`
	SyncEnabled       *bool   `json:"sync_enabled"`
	SyncFolder        *string `json:"sync_folder"`
	SyncInterval      *int64  `json:"sync_interval"`
	SyncDownload      *bool   `json:"sync_download"`
	SyncUpload        *bool   `json:"sync_upload"`
	SyncPreserveNames *bool   `json:"sync_preserve_names"`
	SyncRaw           *bool   `json:"sync_raw"`
	SyncVideo         *bool   `json:"sync_video"`
	SyncOnChange      *bool   `json:"sync_on_change"`
}

// maxSeconds keeps second counts far from time.Duration's overflow.
const maxSeconds = 100 * 365 * 24 * 3600

// Input converts the view to the use case input, checking durations.
func (j AccountInput) Input() (app.AccountInput, error) {
	in := app.AccountInput{
		Name: j.Name, URL: j.URL, Username: j.Username, Password: j.Password, CACert: j.CACert,
		RetryLimit: j.RetryLimit, UploadEnabled: j.UploadEnabled, UploadFolder: j.UploadFolder, UploadSize: j.UploadSize,
		SyncEnabled: j.SyncEnabled, SyncFolder: j.SyncFolder, SyncDownload: j.SyncDownload, SyncUpload: j.SyncUpload,
		SyncPreserveNames: j.SyncPreserveNames, SyncRaw: j.SyncRaw, SyncVideo: j.SyncVideo,
		SyncOnChange: j.SyncOnChange,
	}
	var err error
	if in.Timeout, err = seconds("timeout", j.Timeout); err != nil {
		return in, err
	}
	if in.SyncInterval, err = seconds("sync_interval", j.SyncInterval); err != nil {
		return in, err
	}
	return in, nil
}

func seconds(field string, v *int64) (*time.Duration, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 || *v > maxSeconds {
		return nil, domain.Errorf(domain.EINVALID, "%s: must be a number of seconds from 0 to %d", field, maxSeconds)
	}
	d := time.Duration(*v) * time.Second
	return &d, nil
}

// Folder is a remote folder.
type Folder struct {
	Name     string     `json:"name"`
	Path     string     `json:"path"`
	Modified *time.Time `json:"modified,omitempty"`
}

// FromFolder returns the JSON view of a remote folder.
func FromFolder(f domain.RemoteFile) Folder {
	j := Folder{Name: f.Name, Path: f.Path}
	if !f.ModTime.IsZero() {
		t := f.ModTime.UTC()
		j.Modified = &t
	}
	return j
}
