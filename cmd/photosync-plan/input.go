package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/photosync/photosync/domain"
)

// The input document. Field names are snake_case; times are RFC 3339
// ("2026-05-01T12:00:00Z"), and an absent time is the zero time ("not
// known", or for a pair's synced_at "not synced yet"). Unknown fields are
// refused, so a misspelt option is an error rather than a default.
//
//	{
//	  "now": "2026-05-01T12:00:00Z",
//	  "settings": {"folder": "/Photos", "download": true, "upload": true,
//	               "preserve_names": true, "raw": false, "video": false,
//	               "download_folder": "nextcloud", "account_id": 1, "retry_limit": 5},
//	  "remote":   [{"path": "/Photos/a.jpg", "size": 3, "mod_time": "...", "etag": "...", "checksum": "SHA1:..."}],
//	  "local":    [{"path": "nextcloud/a.jpg", "size": 3, "mod_time": "...", "sha1": "...", "problem": "", "missing": false}],
//	  "pairs":    [{"local_path": "...", "remote_path": "...", "size": 3, "local_mod_time": "...",
//	                "remote_mod_time": "...", "etag": "...", "sha1": "...", "synced_at": "...",
//	                "local_deleted": false, "remote_deleted": false}],
//	  "failures": [{"direction": "down", "remote_path": "...", "local_path": "...", "attempts": 2,
//	                "last_error": "...", "last_attempt_at": "...", "next_attempt_at": "...", "failed": false}]
//	}
type inputDoc struct {
	Now      time.Time     `json:"now"`
	Settings *settingsJSON `json:"settings"`
	Remote   []remoteJSON  `json:"remote"`
	Local    []localJSON   `json:"local"`
	Pairs    []pairJSON    `json:"pairs"`
	Failures []failureJSON `json:"failures"`
}

type settingsJSON struct {
	AccountID      int64  `json:"account_id"`
	Folder         string `json:"folder"`
	Download       bool   `json:"download"`
	Upload         bool   `json:"upload"`
	PreserveNames  bool   `json:"preserve_names"`
	Raw            bool   `json:"raw"`
	Video          bool   `json:"video"`
	RetryLimit     int    `json:"retry_limit"`
	DownloadFolder string `json:"download_folder"`
}

type remoteJSON struct {
	Path     string    `json:"path"`
	Name     string    `json:"name"`
	IsDir    bool      `json:"is_dir"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mod_time"`
	ETag     string    `json:"etag"`
	Checksum string    `json:"checksum"`
}

type localJSON struct {
	ID      int64     `json:"id"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
	SHA1    string    `json:"sha1"`
	Problem string    `json:"problem"`
	Missing bool      `json:"missing"`
}

type pairJSON struct {
	LocalPath     string    `json:"local_path"`
	RemotePath    string    `json:"remote_path"`
	Size          int64     `json:"size"`
	LocalModTime  time.Time `json:"local_mod_time"`
	RemoteModTime time.Time `json:"remote_mod_time"`
	ETag          string    `json:"etag"`
	SHA1          string    `json:"sha1"`
	SyncedAt      time.Time `json:"synced_at"`
	LocalDeleted  bool      `json:"local_deleted"`
	RemoteDeleted bool      `json:"remote_deleted"`
}

type failureJSON struct {
	Direction     string    `json:"direction"`
	LocalPath     string    `json:"local_path"`
	RemotePath    string    `json:"remote_path"`
	Attempts      int       `json:"attempts"`
	LastError     string    `json:"last_error"`
	LastAttemptAt time.Time `json:"last_attempt_at"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	Failed        bool      `json:"failed"`
}

// decodeInput reads exactly one input document and turns it into the
// planner's input, or says what is wrong with it.
func decodeInput(r io.Reader) (domain.SyncInput, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc inputDoc
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return domain.SyncInput{}, errors.New("no input: give one JSON document on standard input")
		}
		return domain.SyncInput{}, fmt.Errorf("read the input: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.SyncInput{}, errors.New("read the input: there is more after the JSON document; give exactly one")
	}
	return doc.toDomain()
}

// toDomain checks the document and converts it.
func (d inputDoc) toDomain() (domain.SyncInput, error) {
	if d.Settings == nil {
		return domain.SyncInput{}, errors.New(`the input has no "settings"`)
	}
	if d.Now.IsZero() {
		return domain.SyncInput{}, errors.New(`the input has no "now": give the time of the run, e.g. "2026-05-01T12:00:00Z"`)
	}
	s := *d.Settings
	folder, err := domain.CleanRemotePath(s.Folder)
	if err != nil {
		return domain.SyncInput{}, fmt.Errorf("settings.folder: %s", domain.ErrorMessage(err))
	}
	in := domain.SyncInput{
		Now: d.Now,
		Settings: domain.SyncSettings{
			AccountID: s.AccountID, Folder: folder, Download: s.Download, Upload: s.Upload,
			PreserveNames: s.PreserveNames, Raw: s.Raw, Video: s.Video,
			RetryLimit: s.RetryLimit, DownloadFolder: s.DownloadFolder,
		},
	}
	for i, r := range d.Remote {
		if r.Path == "" {
			return domain.SyncInput{}, fmt.Errorf("remote[%d]: the path is missing", i)
		}
		sum, err := domain.ParseChecksum(r.Checksum)
		if err != nil {
			return domain.SyncInput{}, fmt.Errorf("remote[%d].checksum: %s", i, domain.ErrorMessage(err))
		}
		in.Remote = append(in.Remote, domain.RemoteFile{Path: r.Path, Name: r.Name, IsDir: r.IsDir,
			Size: r.Size, ModTime: r.ModTime, ETag: r.ETag, Checksum: sum})
	}
	for i, f := range d.Local {
		if f.Path == "" {
			return domain.SyncInput{}, fmt.Errorf("local[%d]: the path is missing", i)
		}
		in.Local = append(in.Local, domain.LibraryFile{ID: f.ID, Path: f.Path, Kind: domain.KindOf(f.Path),
			Size: f.Size, ModTime: f.ModTime, SHA1: f.SHA1, Problem: f.Problem, Missing: f.Missing})
	}
	for i, p := range d.Pairs {
		if p.LocalPath == "" || p.RemotePath == "" {
			return domain.SyncInput{}, fmt.Errorf("pairs[%d]: a pair needs both local_path and remote_path", i)
		}
		in.Pairs = append(in.Pairs, domain.SyncPair{AccountID: s.AccountID, LocalPath: p.LocalPath,
			RemotePath: p.RemotePath, Size: p.Size, LocalModTime: p.LocalModTime, RemoteModTime: p.RemoteModTime,
			ETag: p.ETag, SHA1: p.SHA1, SyncedAt: p.SyncedAt, LocalDeleted: p.LocalDeleted, RemoteDeleted: p.RemoteDeleted})
	}
	for i, f := range d.Failures {
		dir := domain.SyncDirection(f.Direction)
		if dir != domain.SyncDown && dir != domain.SyncUp {
			return domain.SyncInput{}, fmt.Errorf(`failures[%d]: direction %q is neither "down" nor "up"`, i, f.Direction)
		}
		in.Failures = append(in.Failures, domain.SyncFailure{AccountID: s.AccountID, Direction: dir,
			LocalPath: f.LocalPath, RemotePath: f.RemotePath, Attempts: f.Attempts, LastError: f.LastError,
			LastAttemptAt: f.LastAttemptAt, NextAttemptAt: f.NextAttemptAt, Failed: f.Failed})
	}
	return in, nil
}
