package app

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// A run that is killed after a transfer but before its pair is saved
// leaves an unpaired remote file where an unpaired library file of the
// same content lies. The planner links such files when it can tell they
// are the same (same size and the same SHA-1 of their bytes), but
// many WebDAV servers give neither a checksum nor the sent modification
// time, so without a closer look the next run would download the file
// back and upload the library's as "name (1)". A run killed in the middle
// of an upload to a server that writes in place leaves a truncated file
// at the upload path, which the planner would also keep beside a copy.
//
// recoverUnrecorded looks closer, before planning, at just those files,
// and gathers what it finds into the planner's input; the planner
// decides:
//   - same size, undecided: it reads the remote file and, when its SHA-1
//     is the library file's, notes the checksum so the planner links them;
//   - smaller, at the upload path of the library file, with uploads on:
//     when its bytes are the start of the library file's (a truncated copy
//     of this very file: nothing is lost), it answers it among the
//     truncated copies (domain.SyncInput.Truncated): the planner sends the
//     library file over it, and the executor removes it first.
//
// It only reads, so a dry run gathers the same evidence as a run and shows
// the plan the run carries out.
//
// It returns the listing to plan with (the SHA-1s it read added), the
// truncated copies, and the files it could not look at (the server failed
// the read): domain.SyncInput.Undecided, which the planner leaves out of
// this run's plan rather than keep a second copy of one file; the next
// run looks again.
func (s *Syncer) recoverUnrecorded(ctx context.Context, st ports.RemoteStorage, set domain.SyncSettings,
	files []domain.RemoteFile, local []domain.LibraryFile, pairs []domain.SyncPair, uploaded map[string]domain.UploadedCopy) (
	out []domain.RemoteFile, truncated, undecided map[string]string) {
	pairedR := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		pairedR[p.RemotePath] = true
	}
	// A run with every remote file paired (the usual one) has nothing to
	// look at: no map of the library is built.
	if !slices.ContainsFunc(files, func(r domain.RemoteFile) bool { return !pairedR[r.Path] }) {
		return files, nil, nil
	}
	pairedL := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		pairedL[p.LocalPath] = true
	}
	byPath := make(map[string]domain.LibraryFile, len(local))
	byUpload := map[string]domain.LibraryFile{}
	for _, l := range local {
		if l.Missing || l.Problem != "" || l.Size <= 0 || l.SHA1 == "" || pairedL[l.Path] {
			continue
		}
		byPath[l.Path] = l
		if set.Upload {
			byUpload[domain.UploadPath(set, l.Path)] = l
		}
	}
	type check struct {
		i       int
		l       domain.LibraryFile
		partial bool
	}
	var checks []check
	for i, r := range files {
		if pairedR[r.Path] || r.Size < 0 {
			continue
		}
		cands := []domain.LibraryFile{}
		if l, ok := byUpload[r.Path]; ok {
			cands = append(cands, l)
		}
		if set.PreserveNames {
			if lp, err := domain.DownloadPath(set, r.Path); err == nil {
				if l, ok := byPath[lp]; ok {
					cands = append(cands, l)
				}
			}
		}
		if u, ok := uploaded[r.Path]; ok && !u.Resized {
			if l, ok := byPath[u.LocalPath]; ok {
				cands = append(cands, l)
			}
		}
		for _, l := range cands {
			if r.Size == l.Size && !decided(r) {
				checks = append(checks, check{i: i, l: l})
				break
			}
			if r.Size < l.Size && set.Upload && domain.UploadPath(set, l.Path) == r.Path {
				checks = append(checks, check{i: i, l: l, partial: true})
				break
			}
		}
	}
	if len(checks) == 0 {
		return files, nil, nil
	}
	var mu sync.Mutex
	truncated, undecided = map[string]string{}, map[string]string{}
	putOff := func(c check) {
		mu.Lock()
		undecided[files[c.i].Path] = c.l.Path
		mu.Unlock()
	}
	_ = runParallel(ctx, s.cfg.Parallel, len(checks), func(ctx context.Context, n int) error {
		c := checks[n]
		r := files[c.i]
		if !c.partial {
			sum, _, err := readRemoteSHA1(ctx, st, r.Path)
			if err != nil {
				s.log.WarnContext(ctx, "sync: cannot read a remote file to compare it with the library's; both wait for the next run", "remote", r.Path, "err", err)
				putOff(c)
				return nil
			}
			if strings.EqualFold(sum, c.l.SHA1) {
				mu.Lock()
				files[c.i].Checksum = domain.SHA1Checksum(sum)
				mu.Unlock()
			}
			return nil
		}
		same, err := s.isPrefixOf(ctx, st, r, c.l.Path)
		if err != nil {
			s.log.WarnContext(ctx, "sync: cannot compare a short remote file with the library's; both wait for the next run", "remote", r.Path, "err", err)
			putOff(c)
			return nil
		}
		if same {
			mu.Lock()
			truncated[r.Path] = c.l.Path
			mu.Unlock()
		}
		return nil
	})
	return files, truncated, undecided
}

// decided reports whether the planner can tell by itself whether r holds
// the same content as a library file: only a SHA-1 the server reports decides it
// (sizes and times are no proof of content).
func decided(r domain.RemoteFile) bool {
	return r.Checksum.SHA1() != ""
}

// isPrefixOf reports whether the bytes of the remote file r are the
// first r.Size bytes of the library file at lp.
func (s *Syncer) isPrefixOf(ctx context.Context, st ports.RemoteStorage, r domain.RemoteFile, lp string) (bool, error) {
	f, err := s.lib.Open(ctx, lp)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var same bool
	var n int64
	_, _, err = readRemote(ctx, st, r.Path, func(rc io.Reader) (err error) {
		same, n, err = isPrefix(rc, f)
		return err
	})
	if err != nil || !same {
		return false, err
	}
	if n != r.Size {
		return false, fmt.Errorf("read %d bytes of %s, listed with %d", n, r.Path, r.Size)
	}
	return true, nil
}

// uploadedIn answers the unpaired remote files of the listing that manual
// uploads of this account put there, by remote path, with the library
// file each is a copy of (see domain.SyncInput.Uploaded).
func (s *Syncer) uploadedIn(ctx context.Context, accountID int64, files []domain.RemoteFile, local []domain.LibraryFile,
	pairs []domain.SyncPair) (map[string]domain.UploadedCopy, error) {
	if s.uploads == nil {
		return nil, nil
	}
	pairedR := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		pairedR[p.RemotePath] = true
	}
	unpaired := map[string]bool{}
	dirs := map[string]bool{}
	for _, r := range files {
		if !r.IsDir && !pairedR[r.Path] {
			unpaired[r.Path] = true
			dirs[path.Dir(r.Path)] = true
		}
	}
	if len(unpaired) == 0 {
		return nil, nil
	}
	var byID map[int64]string
	out := map[string]domain.UploadedCopy{}
	for dir := range dirs {
		recs, err := s.uploads.UploadsIn(ctx, accountID, dir)
		if err != nil {
			return nil, fmt.Errorf("read the uploads in %s: %w", dir, err)
		}
		for _, rec := range recs {
			if !unpaired[rec.RemotePath] {
				continue
			}
			if byID == nil {
				byID = make(map[int64]string, len(local))
				for _, l := range local {
					if !l.Missing {
						byID[l.ID] = l.Path
					}
				}
			}
			lp, ok := byID[rec.FileID]
			if !ok {
				continue
			}
			out[rec.RemotePath] = domain.UploadedCopy{LocalPath: lp,
				Resized: rec.UploadSize != "" && rec.UploadSize != domain.SizeOriginal}
		}
	}
	return out, nil
}
