package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// RestoreRequest is what a person asked to bring back from a server.
type RestoreRequest struct {
	// Path is the remote folder (or file) to restore; "" or "/" is
	// everything the account holds.
	Path string `json:"path"`
	// To is the library folder the files go to (library-relative); ""
	// is the folder that matches Path in the library when Path is in the
	// sync folder (so the sync takes the restored files for its pairs),
	// else "restored/<last part of Path>".
	To string `json:"to"`
}

// Restorer brings an account's files back from its server into the
// library (docs/backup.md): every file below a remote folder, hidden and
// temporary files and .photosync-versions left out, is downloaded through
// the library writer (never outside the library, never a partial file),
// its size checked on the way and its SHA-1 compared with what was backed
// up when photosync proved it. It never overwrites a library file: one
// that holds the same bytes is skipped, one that holds others stays and
// the server's copy is written beside it as a conflict copy. A run holds
// the account's sync lease.
type Restorer struct {
	sync *Syncer // takes the account's lease

	// The parts of the Syncer and the Backup it works with.
	accounts *Accounts
	lib      ports.Library
	writer   ports.LibraryWriter
	proofs   ports.ProofStore
	clock    ports.Clock
	log      *slog.Logger
}

// NewRestorer returns the restore use case.
func NewRestorer(backup *Backup, syncer *Syncer) *Restorer {
	d := syncer.Deps()
	return &Restorer{sync: syncer, accounts: d.Accounts, lib: d.Lib, writer: d.Writer, proofs: backup.ProofStore(),
		clock: d.Clock, log: d.Log}
}

// RestoreReport is what a restore did.
type RestoreReport struct {
	To       string   // the library folder written to
	Restored []string // library paths written
	Same     []string // library paths that held the same bytes already
	Beside   []string // conflict copies written beside a different library file
}

// Prepare checks a request and fills in its defaults. EINVALID for a
// path that is not clean or a target outside the library.
func (r *Restorer) Prepare(ctx context.Context, accountID int64, req RestoreRequest) (RestoreRequest, error) {
	a, err := r.accounts.Account(ctx, accountID)
	if err != nil {
		return req, err
	}
	if strings.TrimSpace(req.Path) == "" {
		req.Path = "/"
	}
	p, err := domain.CleanRemotePath(req.Path)
	if err != nil {
		return req, domain.Errorf(domain.EINVALID, "path: %s", domain.ErrorMessage(err))
	}
	req.Path = p
	if strings.HasPrefix(strings.TrimSpace(req.To), "/") || strings.Contains(req.To, `\`) || strings.Contains(req.To, ":") {
		return req, domain.Errorf(domain.EINVALID, "to: %q is not a folder inside the library: give it relative to the library, such as restored/2020", req.To)
	}
	to := strings.TrimSuffix(strings.TrimSpace(req.To), "/")
	if req.To == "" {
		switch rel, err := relBelowFolder(a.SyncFolder, p); {
		case p == a.SyncFolder || (a.SyncFolder == "/" && p == "/"):
			to = ""
		case err == nil:
			to = rel
		case p == "/":
			to = "restored"
		default:
			to = "restored/" + path.Base(p)
		}
	}
	if to != "" && (!domain.IsLibraryPath(to) || strings.HasPrefix(to, ".") || strings.Contains(to, "/.")) {
		return req, domain.Errorf(domain.EINVALID, "to: %q is not a folder inside the library (a relative path, no .., no hidden folder)", req.To)
	}
	req.To = to
	return req, nil
}

// Start begins a restore as a job. ECONFLICT while a sync or verify of
// the account runs.
func (r *Restorer) Start(ctx context.Context, jobs *Jobs, accountID int64, req RestoreRequest) (domain.Job, error) {
	req, err := r.Prepare(ctx, accountID, req)
	if err != nil {
		return domain.Job{}, err
	}
	l, err := r.sync.Lock(ctx, accountID)
	if err != nil {
		return domain.Job{}, err
	}
	j, err := jobs.Start(ctx, domain.JobRestore, accountID, func(ctx context.Context, p *Progress) error {
		_, err := r.runLocked(ctx, l, accountID, req, p)
		return err
	})
	if err != nil {
		l.release()
	}
	return j, err
}

// Restore runs a restore now. p may be nil.
func (r *Restorer) Restore(ctx context.Context, accountID int64, req RestoreRequest, p *Progress) (RestoreReport, error) {
	req, err := r.Prepare(ctx, accountID, req)
	if err != nil {
		return RestoreReport{}, err
	}
	l, err := r.sync.Lock(ctx, accountID)
	if err != nil {
		return RestoreReport{}, err
	}
	return r.runLocked(ctx, l, accountID, req, p)
}

func (r *Restorer) runLocked(ctx context.Context, l *lease, accountID int64, req RestoreRequest, p *Progress) (RestoreReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	l.keep(cancel)
	defer l.release()
	if p == nil {
		p = NewProgress(domain.Job{Kind: domain.JobRestore, AccountID: accountID}, nil)
	}
	rep, err := r.run(ctx, accountID, req, p)
	r.log.InfoContext(ctx, "restore ended", "account", accountID, "to", req.To, "restored", len(rep.Restored),
		"same", len(rep.Same), "beside", len(rep.Beside), "err", err)
	return rep, err
}

// remoteFiles lists every file below root (root itself when it is a
// file), leaving out hidden and temporary files and files of no known
// kind.
func remoteFiles(ctx context.Context, st ports.RemoteStorage, root string) ([]domain.RemoteFile, error) {
	f, err := st.Stat(ctx, root)
	if err != nil && root != "/" {
		return nil, err
	}
	if err == nil && !f.IsDir {
		return []domain.RemoteFile{f}, nil
	}
	var out []domain.RemoteFile
	queue := []string{root}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		entries, err := st.List(ctx, dir)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name, ".") || e.Path == dir {
				continue
			}
			if e.IsDir {
				queue = append(queue, e.Path)
				continue
			}
			if !domain.Ignored(e.Name) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func (r *Restorer) run(ctx context.Context, accountID int64, req RestoreRequest, p *Progress) (RestoreReport, error) {
	rep := RestoreReport{To: req.To}
	st, err := r.accounts.Storage(ctx, accountID)
	if err != nil {
		return rep, err
	}
	files, err := remoteFiles(ctx, st, req.Path)
	if err != nil {
		if isFatal(err) {
			err = r.accounts.NoteFailure(ctx, accountID, err)
		}
		return rep, err
	}
	proofs, err := r.proofs.Proofs(ctx, accountID)
	if err != nil {
		return rep, err
	}
	proven := make(map[string]domain.Proof, len(proofs))
	for _, pr := range proofs {
		proven[pr.RemotePath] = pr
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	p.SetTotal(len(files), total)
	root := req.Path
	single := len(files) == 1 && files[0].Path == root
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rel := path.Base(f.Path)
		if !single {
			rel = strings.TrimPrefix(strings.TrimPrefix(f.Path, strings.TrimSuffix(root, "/")), "/")
		}
		dest := rel
		if req.To != "" {
			dest = req.To + "/" + rel
		}
		outcome, where, err := r.one(ctx, st, f, dest, proven[f.Path])
		switch {
		case err != nil:
			if ctx.Err() != nil || isFatal(err) {
				return rep, err
			}
			p.FileDone(dest, Failed, err)
		case outcome == Skipped:
			rep.Same = append(rep.Same, where)
			p.FileDone(where, Skipped, nil)
		default:
			if where == dest {
				rep.Restored = append(rep.Restored, where)
			} else {
				rep.Beside = append(rep.Beside, where)
			}
			p.FileDone(where, Downloaded, nil)
		}
	}
	return rep, nil
}

// one restores one remote file to the library path dest.
func (r *Restorer) one(ctx context.Context, st ports.RemoteStorage, f domain.RemoteFile, dest string, proof domain.Proof) (Outcome, string, error) {
	if !domain.IsLibraryPath(dest) {
		return Failed, dest, domain.Errorf(domain.EINVALID, "%s cannot be a library path", dest)
	}
	want := f.Checksum.SHA1()
	if want == "" && proof.SHA1 != "" && proof.Problem == "" && proof.Size == f.Size {
		want = proof.SHA1
	}
	local, err := hashLibrary(ctx, r.lib, dest)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		sum, err := r.write(ctx, st, f, dest)
		if domain.ErrorCode(err) == domain.ECONFLICT { // it appeared meanwhile: beside it
			return r.beside(ctx, st, f, dest)
		}
		return Downloaded, dest, checkProof(dest, sum, want, proof, err)
	case err != nil:
		return Failed, dest, err
	}
	if want == "" {
		// Nothing says what the server holds: read it to compare.
		if want, _, err = readRemoteSHA1(ctx, st, f.Path); err != nil {
			return Failed, dest, fmt.Errorf("read %s to compare it with the library's %s: %w", f.Path, dest, err)
		}
	}
	if strings.EqualFold(want, local) {
		return Skipped, dest, nil
	}
	return r.beside(ctx, st, f, dest)
}

// beside writes the server's copy as a conflict copy beside dest.
func (r *Restorer) beside(ctx context.Context, st ports.RemoteStorage, f domain.RemoteFile, dest string) (Outcome, string, error) {
	c := domain.ConflictName(dest, r.clock.Now())
	for n := 0; ; n++ {
		at := domain.NumberedName(c, n)
		_, err := r.write(ctx, st, f, at)
		if domain.ErrorCode(err) == domain.ECONFLICT && n < 100 {
			continue
		}
		return Downloaded, at, err
	}
}

// write downloads f into the library at dest, never over a file there.
func (r *Restorer) write(ctx context.Context, st ports.RemoteStorage, f domain.RemoteFile, dest string) (string, error) {
	rc, got, err := st.Download(ctx, f.Path)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	// The writer checks the bytes against the checksum the download
	// announced, no more: a copy that is not what was backed up is
	// restored all the same (it may be all there is) and reported by
	// checkProof.
	return r.writer.WriteFile(ctx, dest, rc, f.Size, f.ModTime, domain.SHA1Checksum(got.Checksum.SHA1()), false)
}

// checkProof compares a restored file with what it should hold (the
// server's listed checksum, else the content photosync proved there): one
// that differs is restored all the same (it may be all there is), but
// reported.
func checkProof(dest, sum, want string, proof domain.Proof, err error) error {
	if err != nil || want == "" || strings.EqualFold(sum, want) {
		return err
	}
	if proof.SHA1 != "" && strings.EqualFold(want, proof.SHA1) {
		return domain.Errorf(domain.ECONFLICT, "restored to %s, but the server's copy is not what was backed up (SHA-1 %s, %s proven on %s): check it",
			dest, short(sum), short(proof.SHA1), proof.ProvenAt.UTC().Format("2006-01-02"))
	}
	return domain.Errorf(domain.ECONFLICT, "restored to %s, but its SHA-1 %s is not the %s the server lists for it: check it", dest, short(sum), short(want))
}

// hashLibrary returns the SHA-1 of a library file; ENOTFOUND when there
// is none.
func hashLibrary(ctx context.Context, lib ports.Library, p string) (string, error) {
	rc, err := lib.Open(ctx, p)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha1.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
