package domain

import (
	"io/fs"
	"path"
	"strings"
	"time"
)

// This file holds the invariants every store checks before it writes, so
// that the SQL stores and the memory store refuse the same input with the
// same errors.

// IsRemoteFilePath reports whether p is a clean remote path (see
// CleanRemotePath) other than the root.
func IsRemoteFilePath(p string) bool {
	c, err := CleanRemotePath(p)
	return err == nil && c == p && c != "/"
}

// IsRemoteFolderPath reports whether p is a clean remote path, the root
// included.
func IsRemoteFolderPath(p string) bool {
	c, err := CleanRemotePath(p)
	return err == nil && c == p
}

// IsLibraryPath reports whether p is a clean, slash-separated path
// relative to the library.
func IsLibraryPath(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.Contains(p, `\`)
}

// Validate checks a pair before it is stored for accountID: a pair with
// AccountID 0 is taken for accountID's (Validate sets it). EINVALID for a
// pair of another account or without a clean remote file path and library
// path.
func (p *SyncPair) Validate(accountID int64) error {
	if p.AccountID == 0 {
		p.AccountID = accountID
	}
	switch {
	case p.AccountID != accountID:
		return Errorf(EINVALID, "the pair of %s belongs to account %d, not %d", p.RemotePath, p.AccountID, accountID)
	case !IsRemoteFilePath(p.RemotePath):
		return Errorf(EINVALID, "the pair's remote path %q is not a clean file path", p.RemotePath)
	case !IsLibraryPath(p.LocalPath):
		return Errorf(EINVALID, "the pair's library path %q is not a clean relative path", p.LocalPath)
	}
	return nil
}

// Validate checks a failure before it is stored or cleared for accountID:
// a failure with AccountID 0 is taken for accountID's (Validate sets it).
// EINVALID for a failure of another account, of no known direction or
// without a path.
func (f *SyncFailure) Validate(accountID int64) error {
	if f.AccountID == 0 {
		f.AccountID = accountID
	}
	switch {
	case f.AccountID != accountID:
		return Errorf(EINVALID, "the failure of %s belongs to account %d, not %d", f.RemotePath, f.AccountID, accountID)
	case f.Direction != SyncDown && f.Direction != SyncUp:
		return Errorf(EINVALID, "the failure of %s has no direction (%q)", f.RemotePath, f.Direction)
	case f.LocalPath == "" && f.RemotePath == "":
		return Errorf(EINVALID, "a failure needs a library path or a remote path")
	}
	return nil
}

// Validate checks a run before it is stored: EINVALID without an account.
func (r SyncRun) Validate() error {
	if r.AccountID == 0 {
		return Errorf(EINVALID, "a sync run needs an account")
	}
	return nil
}

// ValidateFolders checks folders before they are remembered: EINVALID for
// a folder without a clean path, a folder given twice, or a file that is
// not directly in its folder or given twice.
func ValidateFolders(folders []RemoteFolder) error {
	seen := make(map[string]bool, len(folders))
	for _, f := range folders {
		if !IsRemoteFolderPath(f.Path) {
			return Errorf(EINVALID, "the remote folder %q is not a clean path", f.Path)
		}
		if seen[f.Path] {
			return Errorf(EINVALID, "the remote folder %s is given twice", f.Path)
		}
		seen[f.Path] = true
		names := make(map[string]bool, len(f.Files))
		for _, c := range f.Files {
			if !IsRemoteFilePath(c.Path) || path.Dir(c.Path) != f.Path {
				return Errorf(EINVALID, "the remote path %q is not directly in the folder %s", c.Path, f.Path)
			}
			if names[c.Path] {
				return Errorf(EINVALID, "the remote path %s is given twice", c.Path)
			}
			names[c.Path] = true
		}
	}
	return nil
}

// ValidateFolderUpdate checks the input of ports.SyncStore.UpdateFolders:
// put as ValidateFolders does, retag and drop for clean paths, and no
// folder in two of the three (or twice in one).
func ValidateFolderUpdate(put, retag []RemoteFolder, drop []string) error {
	if err := ValidateFolders(put); err != nil {
		return err
	}
	kept := make(map[string]bool, len(put)+len(retag))
	for _, f := range put {
		kept[f.Path] = true
	}
	for _, f := range retag {
		if !IsRemoteFolderPath(f.Path) {
			return Errorf(EINVALID, "the remote folder %q is not a clean path", f.Path)
		}
		if kept[f.Path] {
			return Errorf(EINVALID, "the remote folder %s is given twice", f.Path)
		}
		kept[f.Path] = true
	}
	for _, p := range drop {
		if !IsRemoteFolderPath(p) {
			return Errorf(EINVALID, "the remote folder %q is not a clean path", p)
		}
		if kept[p] {
			return Errorf(EINVALID, "the remote folder %s is both kept and dropped", p)
		}
	}
	return nil
}

// ValidateLease checks a request for a lease: EINVALID for an empty name
// or holder or a ttl below a millisecond.
func ValidateLease(name, holder string, ttl time.Duration) error {
	switch {
	case name == "":
		return Errorf(EINVALID, "a lease needs a name")
	case holder == "":
		return Errorf(EINVALID, "the lease %s needs a holder", name)
	case ttl < time.Millisecond:
		return Errorf(EINVALID, "the lease %s needs a duration of at least a millisecond, not %v", name, ttl)
	}
	return nil
}

// LeaseHeld is the ECONFLICT for a lease another holder has for another
// left, shown in whole seconds rounded up ("4m12s").
func LeaseHeld(name string, left time.Duration) error {
	secs := max((left+time.Second-1)/time.Second, 1)
	return Errorf(ECONFLICT, "%s is held by another process for another %s", name, secs*time.Second)
}
