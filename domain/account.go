package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// AccountType says which protocol extras a server speaks.
type AccountType string

// Account types.
const (
	TypeWebDAV    AccountType = "webdav"
	TypeNextcloud AccountType = "nextcloud"
)

// AccountStatus is the outcome of the last contact with an account's server.
type AccountStatus string

// Account statuses.
const (
	StatusOK           AccountStatus = "ok"
	StatusError        AccountStatus = "error"
	StatusUnauthorized AccountStatus = "unauthorized"
	// StatusNeedsReview: the last run held back a plan that waits for a
	// person's confirmation (the mass-change guard, or a first sync);
	// LastError says what it would do.
	StatusNeedsReview AccountStatus = "needs_review"
)

// Upload sizes: the original file, or JPEG-decodable images resized to fit
// a square of the given number of pixels.
const (
	SizeOriginal = "original"
	SizeFit720   = "fit_720"
	SizeFit1280  = "fit_1280"
	SizeFit1920  = "fit_1920"
	SizeFit2560  = "fit_2560"
	SizeFit4096  = "fit_4096"
)

// UploadSizes lists the valid upload sizes, smallest last.
var UploadSizes = []string{SizeOriginal, SizeFit720, SizeFit1280, SizeFit1920, SizeFit2560, SizeFit4096}

// Limits and defaults of account settings.
const (
	DefaultTimeout    = 60 * time.Second
	MinTimeout        = time.Second
	MaxTimeout        = 10 * time.Minute
	DefaultRetryLimit = 5
	MaxRetryLimit     = 100
	MaxNameLength     = 100
	MaxCACertLength   = 64 << 10
	DefaultFolder     = "/Photos"
)

// Account is a connected WebDAV server with its upload and sync settings.
//
// URL is the WebDAV endpoint after discovery (for Nextcloud the
// files/<user id>/ endpoint). Secret holds the password sealed by a
// SecretBox; the clear password never lives in an Account, so an Account
// can be stored, logged or returned without leaking it.
type Account struct {
	ID       int64
	Name     string
	URL      string
	Type     AccountType
	Username string
	UserID   string // Nextcloud user id; may differ from Username
	Secret   []byte
	CACert   string // extra trusted CA certificates, PEM
	Timeout  time.Duration

	RetryLimit int

	UploadEnabled bool
	UploadFolder  string
	UploadSize    string

	SyncEnabled       bool
	SyncFolder        string
	SyncInterval      time.Duration
	SyncDownload      bool
	SyncUpload        bool
	SyncPreserveNames bool
	SyncRaw           bool
	SyncVideo         bool
	// SyncOnChange is "Back up new photos at once": `serve` starts an
	// upload run as soon as its library watcher has seen new files
	// (only for a sync that uploads; downloads keep the interval).
	SyncOnChange bool

	Status     AccountStatus
	LastSyncAt time.Time
	LastError  string
	ErrorCount int

	CreatedAt time.Time
	UpdatedAt time.Time
}

// HasPassword reports whether the account has a stored password.
func (a *Account) HasPassword() bool { return len(a.Secret) > 0 }

// NewAccount returns an account with photosync's defaults: uploads to
// /Photos in original size, sync off, both directions, names kept, RAW and
// video included.
func NewAccount() Account {
	return Account{
		Type:              TypeWebDAV,
		Timeout:           DefaultTimeout,
		RetryLimit:        DefaultRetryLimit,
		UploadEnabled:     true,
		UploadFolder:      DefaultFolder,
		UploadSize:        SizeOriginal,
		SyncFolder:        DefaultFolder,
		SyncDownload:      true,
		SyncUpload:        true,
		SyncPreserveNames: true,
		SyncRaw:           true,
		SyncVideo:         true,
		SyncOnChange:      true,
		Status:            StatusOK,
	}
}

// Normalize cleans what can be cleaned (trimmed name, URL, folders) and
// then validates the account. It returns an EINVALID Error naming the first
// field that breaks a rule.
func (a *Account) Normalize() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Username = strings.TrimSpace(a.Username)
	if a.Name == "" {
		return Errorf(EINVALID, "name: an account needs a name")
	}
	if utf8.RuneCountInString(a.Name) > MaxNameLength || hasControl(a.Name) {
		return Errorf(EINVALID, "name: at most %d characters and no control characters", MaxNameLength)
	}
	u, err := NormalizeURL(a.URL)
	if err != nil {
		return err
	}
	a.URL = u
	if a.Type != TypeWebDAV && a.Type != TypeNextcloud {
		return Errorf(EINVALID, "type: must be webdav or nextcloud, not %q", a.Type)
	}
	if hasControl(a.Username) || strings.Contains(a.Username, ":") {
		return Errorf(EINVALID, "username: must not contain a colon or control characters")
	}
	if len(a.CACert) > MaxCACertLength {
		return Errorf(EINVALID, "ca_cert: at most %d bytes", MaxCACertLength)
	}
	if a.Timeout == 0 {
		a.Timeout = DefaultTimeout
	}
	if a.Timeout < MinTimeout || a.Timeout > MaxTimeout {
		return Errorf(EINVALID, "timeout: must be between %d and %d seconds", int(MinTimeout.Seconds()), int(MaxTimeout.Seconds()))
	}
	if a.RetryLimit < 0 || a.RetryLimit > MaxRetryLimit {
		return Errorf(EINVALID, "retry_limit: must be between 0 and %d", MaxRetryLimit)
	}
	if a.UploadFolder, err = cleanFolder("upload_folder", a.UploadFolder); err != nil {
		return err
	}
	if a.SyncFolder, err = cleanFolder("sync_folder", a.SyncFolder); err != nil {
		return err
	}
	if a.UploadSize == "" {
		a.UploadSize = SizeOriginal
	}
	if !ValidUploadSize(a.UploadSize) {
		return Errorf(EINVALID, "upload_size: must be one of %s", strings.Join(UploadSizes, ", "))
	}
	if a.SyncInterval < 0 {
		return Errorf(EINVALID, "sync_interval: must be 0 (only by hand) or a positive number of seconds")
	}
	if a.SyncInterval > 0 && a.SyncInterval < time.Minute {
		return Errorf(EINVALID, "sync_interval: at least 60 seconds, or 0 for only by hand")
	}
	if a.SyncEnabled && !a.SyncDownload && !a.SyncUpload {
		return Errorf(EINVALID, "sync: turn on download, upload or both, or turn sync off")
	}
	switch a.Status {
	case "":
		a.Status = StatusOK
	case StatusOK, StatusError, StatusUnauthorized, StatusNeedsReview:
	default:
		return Errorf(EINVALID, "status: unknown status %q", a.Status)
	}
	return nil
}

// ValidUploadSize reports whether s is one of UploadSizes.
func ValidUploadSize(s string) bool {
	for _, v := range UploadSizes {
		if s == v {
			return true
		}
	}
	return false
}

func cleanFolder(field, p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return DefaultFolder, nil
	}
	c, err := CleanRemotePath(p)
	if err != nil {
		return "", Errorf(EINVALID, "%s: %s", field, ErrorMessage(err))
	}
	return c, nil
}
