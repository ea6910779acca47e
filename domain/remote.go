package domain

import "time"

// RemoteFile is one entry of a remote folder listing. Path is clean (see
// CleanRemotePath) and relative to the account's endpoint.
type RemoteFile struct {
	Path     string
	Name     string
	IsDir    bool
	Size     int64
	ModTime  time.Time
	ETag     string
	Checksum Checksum // the SHA-1 the server reports of the content; zero when none
}

// UploadMeta carries what a server may keep beside an uploaded file's
// bytes; servers that do not understand a field ignore it.
type UploadMeta struct {
	ModTime time.Time
	SHA1    string // lower-case hex; empty when unknown
}

// Credentials are what it takes to reach a server: the URL as typed or as
// discovered, the login, the clear password (only ever in memory), extra
// trusted CA certificates and the timeout for one request.
type Credentials struct {
	URL      string
	Username string
	Password string
	CACert   string
	Timeout  time.Duration
}

// Discovery is what connecting to a server found out.
type Discovery struct {
	Type     AccountType
	Endpoint string // the WebDAV endpoint, normalised, ending in a slash
	UserID   string // Nextcloud's user id; empty for other servers
	Version  string // the server's version, when it says
}
