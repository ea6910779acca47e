package sqlite

import "github.com/photosync/photosync/adapters/sqlstore"

// The stores, one per port, are the shared ones of package sqlstore.
type (
	AccountStore = sqlstore.AccountStore
	SessionStore = sqlstore.SessionStore
	SettingStore = sqlstore.SettingStore
	JobStore     = sqlstore.JobStore
	LibraryStore = sqlstore.LibraryStore
	UploadStore  = sqlstore.UploadStore
	SyncStore    = sqlstore.SyncStore
	LeaseStore   = sqlstore.LeaseStore
)

// NewAccountStore returns an AccountStore on db.
func NewAccountStore(db *DB) *AccountStore { return sqlstore.NewAccountStore(db) }

// NewSessionStore returns a SessionStore on db.
func NewSessionStore(db *DB) *SessionStore { return sqlstore.NewSessionStore(db) }

// NewSettingStore returns a SettingStore on db.
func NewSettingStore(db *DB) *SettingStore { return sqlstore.NewSettingStore(db) }

// NewJobStore returns a JobStore on db.
func NewJobStore(db *DB) *JobStore { return sqlstore.NewJobStore(db) }

// NewLibraryStore returns a LibraryStore on db.
func NewLibraryStore(db *DB) *LibraryStore { return sqlstore.NewLibraryStore(db) }

// NewUploadStore returns an UploadStore on db.
func NewUploadStore(db *DB) *UploadStore { return sqlstore.NewUploadStore(db) }

// NewSyncStore returns a SyncStore on db.
func NewSyncStore(db *DB) *SyncStore { return sqlstore.NewSyncStore(db) }

// NewLeaseStore returns a LeaseStore on db.
func NewLeaseStore(db *DB) *LeaseStore { return sqlstore.NewLeaseStore(db) }

// ProofStore is the shared proof store.
type ProofStore = sqlstore.ProofStore

// NewProofStore returns a ProofStore on db.
func NewProofStore(db *DB) *ProofStore { return sqlstore.NewProofStore(db) }
