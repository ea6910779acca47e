package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Verifier is the scrub of the proof of backup (docs/backup.md): it
// proves that an account's server still holds what was backed up there.
//
// Every run lists the folders of the backed-up files (one Depth 1 listing
// per folder) and checks each file's presence, size and, where the sync
// remembers one, ETag. It then reads back and hashes: every file never
// proven, every file whose listing changed (other ETag) or that an earlier
// run found wrong, and a rolling share of the rest, oldest proof first,
// sized so that every file is read at least once per Every when runs come
// every Interval. Full reads everything. A file missing, shorter, longer
// or with other content than was uploaded becomes a gap with that cause.
//
// Repair sends each gap again from the library, when the library copy is
// still the one that was uploaded and has no problem: a server copy that
// differs is kept first (Nextcloud keeps its own versions; on other
// servers it is moved to <sync folder>/.photosync-versions/<date>/), and
// the new copy is proven as every upload is. What it cannot repair is
// reported with the reason.
//
// A run holds the account's sync lease: it never runs beside a sync of
// the same account.
type Verifier struct {
	backup *Backup // what the account's backup holds
	sync   *Syncer // takes the account's lease
	cfg    VerifyConfig
	sched  verifySchedule

	// The parts of the Syncer and the Backup it works with.
	accounts *Accounts
	lib      ports.Library
	store    ports.SyncStore
	proofs   ports.ProofStore
	clock    ports.Clock
	log      *slog.Logger
	retry    retryPolicy // the Syncer's, for the repairs' sends
}

// VerifyConfig is how often content is proven.
type VerifyConfig struct {
	// Every is the longest a file's content goes unproven
	// (PHOTOSYNC_VERIFY_EVERY); DefaultVerifyEvery when 0.
	Every time.Duration
	// Interval is how often the scheduler verifies an account;
	// Every/30 (but at least an hour) when 0.
	Interval time.Duration
}

// DefaultVerifyEvery is how often each file's content is proven again.
const DefaultVerifyEvery = 720 * time.Hour

// NewVerifier returns the verify use case.
func NewVerifier(backup *Backup, syncer *Syncer, cfg VerifyConfig) *Verifier {
	if cfg.Every <= 0 {
		cfg.Every = DefaultVerifyEvery
	}
	if cfg.Interval <= 0 {
		cfg.Interval = max(cfg.Every/30, time.Hour)
	}
	cfg.Interval = min(cfg.Interval, cfg.Every)
	d, sc := syncer.Deps(), syncer.Config()
	return &Verifier{backup: backup, sync: syncer, cfg: cfg, accounts: d.Accounts, lib: d.Lib, store: d.Store,
		proofs: backup.ProofStore(), clock: d.Clock, log: d.Log, retry: retryPolicy{attempts: sc.Attempts, delay: sc.RetryDelay}}
}

// Interval is how often the scheduler runs a verify of an account.
func (v *Verifier) Interval() time.Duration { return v.cfg.Interval }

// VerifyOptions are a person's choices for one verify.
type VerifyOptions struct {
	Full   bool `json:"full"`   // read back every file now
	Repair bool `json:"repair"` // send the gaps again from the library
}

// VerifyReport is what one verify found and did.
type VerifyReport struct {
	Checked    int   // files whose presence and size were checked
	Read       int   // files read back and hashed
	BytesRead  int64 // their bytes
	Gaps       []domain.BackupFile
	Repaired   []domain.BackupFile
	Unrepaired []domain.BackupFile // with the reason in Reason
}

// Start begins a verify of an account as a job. ECONFLICT while a sync
// of the account runs; ENOTFOUND for an unknown account.
func (v *Verifier) Start(ctx context.Context, jobs *Jobs, accountID int64, opts VerifyOptions) (domain.Job, error) {
	if _, err := v.accounts.Account(ctx, accountID); err != nil {
		return domain.Job{}, err
	}
	l, err := v.sync.Lock(ctx, accountID)
	if err != nil {
		return domain.Job{}, err
	}
	j, err := jobs.Start(ctx, domain.JobVerify, accountID, func(ctx context.Context, p *Progress) error {
		_, err := v.runLocked(ctx, l, accountID, opts, p)
		return err
	})
	if err != nil {
		l.release()
	}
	return j, err
}

// Verify runs a verify now and returns its report. p may be nil.
func (v *Verifier) Verify(ctx context.Context, accountID int64, opts VerifyOptions, p *Progress) (VerifyReport, error) {
	if _, err := v.accounts.Account(ctx, accountID); err != nil {
		return VerifyReport{}, err
	}
	l, err := v.sync.Lock(ctx, accountID)
	if err != nil {
		return VerifyReport{}, err
	}
	return v.runLocked(ctx, l, accountID, opts, p)
}

func (v *Verifier) runLocked(ctx context.Context, l *lease, accountID int64, opts VerifyOptions, p *Progress) (VerifyReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	l.keep(cancel)
	defer l.release()
	if p == nil {
		p = NewProgress(domain.Job{Kind: domain.JobVerify, AccountID: accountID}, nil)
	}
	r, err := v.run(ctx, accountID, opts, p)
	if err != nil && context.Cause(ctx) != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err == nil {
		v.noteSuccess(accountID, v.clock.Now())
	}
	v.log.InfoContext(ctx, "verify ended", "account", accountID, "checked", r.Checked, "read", r.Read,
		"bytes_read", r.BytesRead, "gaps", len(r.Gaps), "repaired", len(r.Repaired), "unrepaired", len(r.Unrepaired), "err", err)
	return r, err
}

// expected is one backed-up remote file and what it should hold.
type expected struct {
	file   domain.BackupFile
	size   int64
	sha1   string
	etag   string // the sync's, "" when unknown
	pair   *domain.SyncPair
	upload *domain.UploadRecord
	proof  domain.Proof
	listed *domain.RemoteFile
	read   bool
	gap    string
}

func (v *Verifier) run(ctx context.Context, accountID int64, opts VerifyOptions, p *Progress) (VerifyReport, error) {
	var rep VerifyReport
	in, a, err := v.backup.Input(ctx, accountID)
	if err != nil {
		return rep, err
	}
	st, err := v.accounts.Storage(ctx, a.ID)
	if err != nil {
		return rep, err
	}
	status := domain.ComputeBackup(in)
	items := expectations(in, status)
	now := v.clock.Now()

	// Presence, size and ETag, one listing per folder.
	byDir := map[string][]*expected{}
	for _, e := range items {
		byDir[path.Dir(e.file.RemotePath)] = append(byDir[path.Dir(e.file.RemotePath)], e)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		listing, err := st.List(ctx, d)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			if isFatal(err) {
				err = v.accounts.NoteFailure(ctx, a.ID, err)
			}
			return rep, fmt.Errorf("list %s: %w", d, err)
		}
		names := make(map[string]*domain.RemoteFile, len(listing))
		for i := range listing {
			if !listing[i].IsDir {
				names[domain.NFC(listing[i].Path)] = &listing[i]
			}
		}
		for _, e := range byDir[d] {
			e.listed = names[domain.NFC(e.file.RemotePath)]
		}
	}
	var total int64
	for _, e := range items {
		rep.Checked++
		switch {
		case e.listed == nil:
			e.gap = domain.GapMissing
		case e.listed.Size < e.size:
			e.gap = fmt.Sprintf("%s (%d of %d bytes)", domain.GapTruncated, e.listed.Size, e.size)
		case e.listed.Size > e.size:
			e.gap = fmt.Sprintf("%s (%d bytes, %d uploaded)", domain.GapChanged, e.listed.Size, e.size)
		case e.sha1 == "":
			// Nothing to prove it against: presence and size only.
		case opts.Full || e.proof.SHA1 == "" || e.proof.Problem != "" || !e.proof.Proven(e.sha1) ||
			(e.etag != "" && e.listed.ETag != "" && !sameETag(e.etag, e.listed.ETag)):
			e.read = true
		default:
			total += e.size
		}
	}
	// The rolling share: the oldest proofs first, enough bytes that every
	// file is read once per Every.
	share := int64(float64(total) * float64(v.cfg.Interval) / float64(v.cfg.Every))
	rest := make([]*expected, 0, len(items))
	for _, e := range items {
		if e.gap == "" && !e.read && e.sha1 != "" {
			rest = append(rest, e)
		}
	}
	slices.SortStableFunc(rest, func(a, b *expected) int { return a.proof.ProvenAt.Compare(b.proof.ProvenAt) })
	due := now.Add(-(v.cfg.Every - v.cfg.Interval))
	var planned int64
	for _, e := range rest {
		// Within the share (at least one file a run), and every file that
		// would be overdue by the next run.
		if planned > 0 && planned+e.size > share && !e.proof.ProvenAt.Before(due) {
			break
		}
		e.read = true
		planned += e.size
	}
	var readBytes int64
	for _, e := range items {
		if e.read {
			readBytes += e.size
		}
	}
	p.SetTotal(len(items), readBytes)

	var save []domain.Proof
	var pairs []domain.SyncPair
	for _, e := range items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		pr := e.proof
		pr.AccountID, pr.RemotePath = a.ID, e.file.RemotePath
		if pr.Size == 0 {
			pr.Size = e.size
		}
		if e.read && e.gap == "" {
			sum, n, err := readRemoteSHA1(ctx, st, e.file.RemotePath)
			p.AddBytes(n)
			switch {
			case domain.ErrorCode(err) == domain.ENOTFOUND:
				e.gap = domain.GapMissing
			case err != nil:
				if ctx.Err() != nil || isFatal(err) {
					return rep, err
				}
				p.FileDone(e.file.Path, Failed, fmt.Errorf("read %s back: %w", e.file.RemotePath, err))
				continue // not proven, not disproven: tried again next run
			case n < e.size:
				e.gap = fmt.Sprintf("%s (%d of %d bytes)", domain.GapTruncated, n, e.size)
			case !strings.EqualFold(sum, e.sha1):
				e.gap = fmt.Sprintf("%s (SHA-1 %s, %s uploaded)", domain.GapChanged, short(sum), short(e.sha1))
			default:
				rep.Read++
				rep.BytesRead += n
				pr.SHA1, pr.Size, pr.Method, pr.ProvenAt = strings.ToLower(sum), n, domain.ProofReadBack, now
				if e.pair != nil && e.listed != nil && !sameETag(e.pair.ETag, e.listed.ETag) {
					np := *e.pair
					np.ETag, np.RemoteModTime = e.listed.ETag, e.listed.ModTime
					pairs = append(pairs, np)
				}
			}
		}
		pr.CheckedAt = now
		pr.Problem = e.gap
		if pr.SHA1 == "" {
			pr.Method, pr.ProvenAt = "", time.Time{}
		}
		save = append(save, pr)
		if e.gap == "" {
			p.FileDone(e.file.Path, Skipped, nil)
			continue
		}
		gap := e.file
		gap.State, gap.Reason = domain.BackupFailed, e.gap
		rep.Gaps = append(rep.Gaps, gap)
		if !opts.Repair {
			p.FileDone(e.file.Path, Failed, domain.Errorf(domain.ECONFLICT, "%s: %s", e.file.RemotePath, e.gap))
		}
	}
	if err := v.save(ctx, a.ID, save, pairs); err != nil {
		return rep, err
	}
	if opts.Repair {
		if err := v.repair(ctx, a, st, in, items, p, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (v *Verifier) save(ctx context.Context, accountID int64, proofs []domain.Proof, pairs []domain.SyncPair) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := v.proofs.SaveProofs(sctx, accountID, proofs, nil); err != nil {
		return fmt.Errorf("record what the verify found: %w", err)
	}
	if len(pairs) > 0 {
		if err := v.store.SavePairs(sctx, accountID, pairs, nil); err != nil {
			return fmt.Errorf("record the server's ETags: %w", err)
		}
	}
	return nil
}

// expectations returns what each backed-up remote file should hold: the
// files of the status that were sent (verified, unverified, or failed by
// an earlier verify), from their pair or upload record.
func expectations(in domain.BackupInput, status domain.BackupStatus) []*expected {
	pairs := map[string]*domain.SyncPair{}
	for i := range in.Pairs {
		pairs[in.Pairs[i].RemotePath] = &in.Pairs[i]
	}
	uploads := map[string]*domain.UploadRecord{}
	for i := range in.Uploads {
		uploads[in.Uploads[i].RemotePath] = &in.Uploads[i]
	}
	proofs := map[string]domain.Proof{}
	for _, p := range in.Proofs {
		proofs[p.RemotePath] = p
	}
	var out []*expected
	for _, f := range status.All {
		if f.RemotePath == "" {
			continue
		}
		e := &expected{file: f, proof: proofs[f.RemotePath]}
		switch f.State {
		case domain.BackupVerified, domain.BackupUnverified:
		case domain.BackupFailed:
			if e.proof.Problem == "" {
				continue // a send that failed: the sync's to retry
			}
		default:
			continue
		}
		if f.Manual {
			r := uploads[f.RemotePath]
			if r == nil {
				continue
			}
			e.upload, e.size, e.sha1 = r, r.Size, r.SHA1
		} else {
			pr := pairs[f.RemotePath]
			if pr == nil {
				continue
			}
			e.pair, e.size, e.sha1, e.etag = pr, pr.Size, pr.SHA1, pr.ETag
			if e.sha1 == "" && pr.Size == f.Size {
				e.sha1 = f.SHA1 // a pair recorded without a SHA-1: the library's, same size
			}
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *expected) int { return cmp.Compare(a.file.RemotePath, b.file.RemotePath) })
	return out
}

// repair sends the gaps again from the library.
func (v *Verifier) repair(ctx context.Context, a domain.Account, st ports.RemoteStorage, in domain.BackupInput,
	items []*expected, p *Progress, rep *VerifyReport) error {
	lib := map[int64]domain.LibraryFile{}
	for _, f := range in.Library {
		if !f.Missing {
			lib[f.ID] = f
		}
	}
	snd := &sender{st: st, library: v.lib, p: p, log: v.log, retry: v.retry,
		proof: VerifyAll, proofs: newProofRecorder(v.proofs, a.ID, v.clock, v.log)}
	defer snd.proofs.flush(ctx)
	for _, e := range items {
		if e.gap == "" {
			continue
		}
		f := e.file
		f.State, f.Reason = domain.BackupFailed, e.gap
		l, ok := lib[e.file.FileID]
		why := ""
		switch {
		case !ok:
			why = "the library copy is gone"
		case l.Problem != "":
			why = "the library copy has a problem: " + l.Problem
		case e.upload != nil && e.upload.UploadSize != "" && e.upload.UploadSize != domain.SizeOriginal:
			why = "it was uploaded resized (" + e.upload.UploadSize + "): upload it again"
		case !strings.EqualFold(l.SHA1, e.sha1) && (e.upload == nil || !strings.EqualFold(l.SHA1, e.upload.SourceSHA1)):
			why = "the library copy changed since it was uploaded; the next sync sends it"
		}
		if why == "" {
			err := v.resend(ctx, a, st, snd, e, l)
			if err == nil {
				f.State, f.Reason = domain.BackupVerified, ""
				rep.Repaired = append(rep.Repaired, f)
				p.FileDone(e.file.Path, Uploaded, nil)
				continue
			}
			if ctx.Err() != nil || isFatal(err) {
				return err
			}
			why = domain.ErrorMessage(err)
		}
		f.Reason = e.gap + "; not repaired: " + why
		rep.Unrepaired = append(rep.Unrepaired, f)
		p.FileDone(e.file.Path, Failed, domain.Errorf(domain.ECONFLICT, "%s: %s", e.file.RemotePath, f.Reason))
	}
	return nil
}

// errLibraryChanged is a repair whose library file was not the uploaded
// content when it was read.
var errLibraryChanged = errors.New("the library copy changed while it was sent")

// resend puts the library's copy back at a gap's remote path, keeping a
// differing server copy first.
func (v *Verifier) resend(ctx context.Context, a domain.Account, st ports.RemoteStorage, snd *sender, e *expected, l domain.LibraryFile) error {
	rp := e.file.RemotePath
	fresh := e.listed == nil
	if !fresh {
		if err := v.keepServerCopy(ctx, a, st, rp); err != nil {
			return err
		}
		fresh = a.Type != domain.TypeNextcloud // moved aside: the path is free
	}
	if err := st.MkdirAll(ctx, path.Dir(rp)); err != nil {
		return fmt.Errorf("create %s: %w", path.Dir(rp), err)
	}
	rf, sum, err := snd.send(ctx, sendItem{f: l, path: rp, fresh: fresh})
	if err != nil {
		return err
	}
	if !strings.EqualFold(sum, e.sha1) && (e.upload == nil || !strings.EqualFold(sum, e.upload.SourceSHA1)) {
		return errLibraryChanged
	}
	if e.pair != nil {
		np := *e.pair
		np.ETag, np.RemoteModTime, np.SyncedAt = rf.ETag, rf.ModTime, v.clock.Now()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		defer cancel()
		if err := v.store.SavePairs(sctx, a.ID, []domain.SyncPair{np}, nil); err != nil {
			return fmt.Errorf("record the repaired file: %w", err)
		}
	}
	return nil
}

// keepServerCopy keeps the server's differing copy at rp before it is
// replaced: Nextcloud keeps it among its own versions; elsewhere it is
// moved to <folder>/.photosync-versions/<date>/<path below folder>, the
// folder being the sync folder for a file below it, else the file's own
// folder. A server that cannot move files is not overwritten.
func (v *Verifier) keepServerCopy(ctx context.Context, a domain.Account, st ports.RemoteStorage, rp string) error {
	if a.Type == domain.TypeNextcloud {
		return nil
	}
	mv, ok := st.(ports.Mover)
	if !ok {
		return domain.Errorf(domain.ECONFLICT, "the server cannot move files, so its differing copy of %s cannot be kept; it is not replaced", rp)
	}
	base := path.Dir(rp)
	if _, err := relBelowFolder(a.SyncFolder, rp); err == nil {
		base = a.SyncFolder
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(rp, base), "/")
	dest := domain.JoinRemotePath(domain.JoinRemotePath(domain.JoinRemotePath(base, remoteVersionsFolder),
		v.clock.Now().UTC().Format("2006-01-02")), rel)
	if err := st.MkdirAll(ctx, path.Dir(dest)); err != nil {
		return fmt.Errorf("create the versions folder %s: %w", path.Dir(dest), err)
	}
	for n := 0; ; n++ {
		to := domain.NumberedName(dest, n)
		err := mv.Move(ctx, rp, to)
		if domain.ErrorCode(err) == domain.ECONFLICT && n < 100 {
			continue
		}
		if err != nil {
			return fmt.Errorf("keep the server's copy of %s: %w", rp, err)
		}
		v.log.InfoContext(ctx, "verify: kept the server's differing copy before repairing it", "remote", rp, "kept", to)
		return nil
	}
}

// relBelowFolder answers whether p is strictly below folder.
func relBelowFolder(folder, p string) (string, error) {
	f := strings.TrimSuffix(folder, "/") + "/"
	if folder == "" || folder == "/" {
		f = "/"
	}
	if !strings.HasPrefix(p, f) || p == f {
		return "", domain.Errorf(domain.EINVALID, "%s is not below %s", p, folder)
	}
	return strings.TrimPrefix(p, f), nil
}
