package app

import (
	"context"
	"log/slog"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// proofRecorder records the proof of each upload a sender proved, for
// the backup status. A record that cannot be stored is logged and
// dropped: the file then counts as unverified until a verify proves it
// again, which loses nothing.
type proofRecorder struct {
	store   ports.ProofStore
	account int64
	clock   ports.Clock
	log     *slog.Logger

	mu      sync.Mutex
	pending []domain.Proof // written in batches: one transaction, not one per file
}

// proofBatch is how many proofs are written at once.
const proofBatch = 64

// newProofRecorder returns a recorder, nil (which records nothing) when
// store is nil.
func newProofRecorder(store ports.ProofStore, account int64, clock ports.Clock, log *slog.Logger) *proofRecorder {
	if store == nil {
		return nil
	}
	return &proofRecorder{store: store, account: account, clock: clock, log: log}
}

// record stores that remote path p holds size bytes with SHA-1 sum, as
// the server's hash (byServer) or a read-back proved. sum "" (only the
// size was checked) proves nothing and records nothing.
func (r *proofRecorder) record(ctx context.Context, p string, size int64, sum string, byServer bool) {
	if r == nil || sum == "" {
		return
	}
	method := domain.ProofReadBack
	if byServer {
		method = domain.ProofServerHash
	}
	now := r.clock.Now()
	pr := domain.Proof{AccountID: r.account, RemotePath: p, Size: size, SHA1: sum, Method: method, ProvenAt: now, CheckedAt: now}
	r.mu.Lock()
	r.pending = append(r.pending, pr)
	full := len(r.pending) >= proofBatch
	r.mu.Unlock()
	if full {
		r.flush(ctx)
	}
}

// flush writes the proofs recorded and not written yet: at every batch,
// and when the run ends.
func (r *proofRecorder) flush(ctx context.Context) {
	if r == nil {
		return
	}
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := r.store.SaveProofs(sctx, r.account, batch, nil); err != nil {
		r.log.WarnContext(ctx, "cannot record the proofs of uploads; the files show as unverified until a verify", "account", r.account, "files", len(batch), "err", err)
	}
}

// Backup answers how much of each account's backup is proven: the
// backup status of the proof-of-backup contract (docs/backup.md).
type Backup struct {
	accounts *Accounts
	library  ports.LibraryStore
	sync     ports.SyncStore
	uploads  ports.UploadStore
	proofs   ports.ProofStore
	cfg      SyncConfig
}

// NewBackup returns the backup status use case. cfg gives the download
// folder, as the Syncer's.
func NewBackup(accounts *Accounts, library ports.LibraryStore, sync ports.SyncStore, uploads ports.UploadStore,
	proofs ports.ProofStore, cfg SyncConfig) *Backup {
	if cfg.DownloadFolder == "" {
		cfg.DownloadFolder = DefaultDownloadFolder
	}
	return &Backup{accounts: accounts, library: library, sync: sync, uploads: uploads, proofs: proofs, cfg: cfg}
}

// Input answers what an account's backup status is computed from, and
// the account. ENOTFOUND for an unknown account.
func (b *Backup) Input(ctx context.Context, accountID int64) (domain.BackupInput, domain.Account, error) {
	return b.input(ctx, accountID)
}

// ProofStore is where the proofs of the account's backups are kept.
func (b *Backup) ProofStore() ports.ProofStore { return b.proofs }

// Status computes an account's backup status from what the stores hold.
// ENOTFOUND for an unknown account.
func (b *Backup) Status(ctx context.Context, accountID int64) (domain.BackupStatus, error) {
	in, _, err := b.input(ctx, accountID)
	if err != nil {
		return domain.BackupStatus{}, err
	}
	return domain.ComputeBackup(in), nil
}

// Statuses returns the backup status of every account, in the order of
// Accounts.
func (b *Backup) Statuses(ctx context.Context) ([]domain.Account, []domain.BackupStatus, error) {
	accs, err := b.accounts.Accounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]domain.BackupStatus, 0, len(accs))
	for _, a := range accs {
		st, err := b.Status(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, st)
	}
	return accs, out, nil
}

// input gathers what the status of one account is computed from.
func (b *Backup) input(ctx context.Context, accountID int64) (domain.BackupInput, domain.Account, error) {
	a, err := b.accounts.Account(ctx, accountID)
	if err != nil {
		return domain.BackupInput{}, a, err
	}
	set := domain.SyncSettingsOf(a, b.cfg.DownloadFolder)
	set.Upload = a.SyncEnabled && a.SyncUpload
	in := domain.BackupInput{Settings: set}
	if in.Library, err = b.library.LibraryFiles(ctx); err != nil {
		return in, a, err
	}
	if in.Pairs, err = b.sync.Pairs(ctx, a.ID); err != nil {
		return in, a, err
	}
	if in.Failures, err = b.sync.Failures(ctx, a.ID, false); err != nil {
		return in, a, err
	}
	if in.Proofs, err = b.proofs.Proofs(ctx, a.ID); err != nil {
		return in, a, err
	}
	ids := make([]int64, 0, len(in.Library))
	for _, f := range in.Library {
		if !f.Missing {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) > 0 {
		ups, err := b.uploads.UploadsOf(ctx, ids)
		if err != nil {
			return in, a, err
		}
		for _, rs := range ups {
			for _, r := range rs {
				if r.AccountID == a.ID {
					in.Uploads = append(in.Uploads, r)
				}
			}
		}
	}
	return in, a, nil
}
