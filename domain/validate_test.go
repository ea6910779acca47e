package domain_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestSyncPairValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		pair domain.SyncPair
		ok   bool
	}{
		{"fine", domain.SyncPair{RemotePath: "/Photos/a.jpg", LocalPath: "2024/a.jpg"}, true},
		{"own account", domain.SyncPair{AccountID: 7, RemotePath: "/a.jpg", LocalPath: "a.jpg"}, true},
		{"other account", domain.SyncPair{AccountID: 8, RemotePath: "/a.jpg", LocalPath: "a.jpg"}, false},
		{"remote root", domain.SyncPair{RemotePath: "/", LocalPath: "a.jpg"}, false},
		{"remote unclean", domain.SyncPair{RemotePath: "/x/../a.jpg", LocalPath: "a.jpg"}, false},
		{"remote relative", domain.SyncPair{RemotePath: "a.jpg", LocalPath: "a.jpg"}, false},
		{"local absolute", domain.SyncPair{RemotePath: "/a.jpg", LocalPath: "/a.jpg"}, false},
		{"local dot", domain.SyncPair{RemotePath: "/a.jpg", LocalPath: "."}, false},
		{"local backslash", domain.SyncPair{RemotePath: "/a.jpg", LocalPath: `x\a.jpg`}, false},
		{"local climbs", domain.SyncPair{RemotePath: "/a.jpg", LocalPath: "../a.jpg"}, false},
	} {
		p := c.pair
		err := p.Validate(7)
		if c.ok != (err == nil) || (err != nil && domain.ErrorCode(err) != domain.EINVALID) {
			t.Errorf("%s: Validate = %v, want ok %v (else EINVALID)", c.name, err, c.ok)
		}
		if err == nil && p.AccountID != 7 {
			t.Errorf("%s: Validate left AccountID %d, want 7", c.name, p.AccountID)
		}
	}
}

func TestSyncFailureValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		f    domain.SyncFailure
		ok   bool
	}{
		{"down", domain.SyncFailure{Direction: domain.SyncDown, RemotePath: "/a.jpg"}, true},
		{"up, library path only", domain.SyncFailure{Direction: domain.SyncUp, LocalPath: "a.jpg"}, true},
		{"other account", domain.SyncFailure{AccountID: 8, Direction: domain.SyncUp, LocalPath: "a.jpg"}, false},
		{"no direction", domain.SyncFailure{RemotePath: "/a.jpg"}, false},
		{"odd direction", domain.SyncFailure{Direction: "sideways", RemotePath: "/a.jpg"}, false},
		{"no path", domain.SyncFailure{Direction: domain.SyncDown}, false},
	} {
		f := c.f
		err := f.Validate(7)
		if c.ok != (err == nil) || (err != nil && domain.ErrorCode(err) != domain.EINVALID) {
			t.Errorf("%s: Validate = %v, want ok %v (else EINVALID)", c.name, err, c.ok)
		}
		if err == nil && f.AccountID != 7 {
			t.Errorf("%s: Validate left AccountID %d, want 7", c.name, f.AccountID)
		}
	}
	if err := (domain.SyncRun{}).Validate(); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a run without an account: Validate = %v, want EINVALID", err)
	}
	if err := (domain.SyncRun{AccountID: 1}).Validate(); err != nil {
		t.Errorf("a run of account 1: Validate = %v", err)
	}
}

func TestValidateFolders(t *testing.T) {
	file := func(p string) domain.RemoteFile { return domain.RemoteFile{Path: p} }
	folder := func(p string, files ...domain.RemoteFile) domain.RemoteFolder {
		return domain.RemoteFolder{Path: p, Files: files}
	}
	for _, c := range []struct {
		name              string
		put, retag        []domain.RemoteFolder
		drop              []string
		wantPut, wantUpdt bool
	}{
		{"fine", []domain.RemoteFolder{folder("/", file("/a")), folder("/b", file("/b/c"))}, []domain.RemoteFolder{folder("/d")}, []string{"/e"}, true, true},
		{"unclean folder", []domain.RemoteFolder{folder("/b/")}, nil, nil, false, false},
		{"folder twice", []domain.RemoteFolder{folder("/b"), folder("/b")}, nil, nil, false, false},
		{"file elsewhere", []domain.RemoteFolder{folder("/b", file("/c/d"))}, nil, nil, false, false},
		{"file deeper", []domain.RemoteFolder{folder("/b", file("/b/c/d"))}, nil, nil, false, false},
		{"file twice", []domain.RemoteFolder{folder("/b", file("/b/c"), file("/b/c"))}, nil, nil, false, false},
		{"put and retagged", []domain.RemoteFolder{folder("/b")}, []domain.RemoteFolder{folder("/b")}, nil, true, false},
		{"retagged twice", nil, []domain.RemoteFolder{folder("/b"), folder("/b")}, nil, true, false},
		{"unclean retag", nil, []domain.RemoteFolder{folder("b")}, nil, true, false},
		{"put and dropped", []domain.RemoteFolder{folder("/b")}, nil, []string{"/b"}, true, false},
		{"retagged and dropped", nil, []domain.RemoteFolder{folder("/b")}, []string{"/b"}, true, false},
		{"unclean drop", nil, nil, []string{"/b/../c"}, true, false},
	} {
		if err := domain.ValidateFolders(c.put); c.wantPut != (err == nil) || (err != nil && domain.ErrorCode(err) != domain.EINVALID) {
			t.Errorf("%s: ValidateFolders = %v, want ok %v (else EINVALID)", c.name, err, c.wantPut)
		}
		if err := domain.ValidateFolderUpdate(c.put, c.retag, c.drop); c.wantUpdt != (err == nil) || (err != nil && domain.ErrorCode(err) != domain.EINVALID) {
			t.Errorf("%s: ValidateFolderUpdate = %v, want ok %v (else EINVALID)", c.name, err, c.wantUpdt)
		}
	}
}

func TestValidateLease(t *testing.T) {
	for _, c := range []struct {
		name, holder string
		ttl          time.Duration
		ok           bool
	}{
		{"sync/1", "host:1", time.Minute, true},
		{"sync/1", "host:1", time.Millisecond, true},
		{"", "host:1", time.Minute, false},
		{"sync/1", "", time.Minute, false},
		{"sync/1", "host:1", time.Millisecond - 1, false},
	} {
		if err := domain.ValidateLease(c.name, c.holder, c.ttl); c.ok != (err == nil) || (err != nil && domain.ErrorCode(err) != domain.EINVALID) {
			t.Errorf("ValidateLease(%q, %q, %v) = %v, want ok %v (else EINVALID)", c.name, c.holder, c.ttl, err, c.ok)
		}
	}
	for left, want := range map[time.Duration]string{
		0:                       "sync/1 is held by another process for another 1s",
		1500 * time.Millisecond: "sync/1 is held by another process for another 2s",
		4*time.Minute + 11*time.Second + time.Millisecond: "sync/1 is held by another process for another 4m12s",
	} {
		err := domain.LeaseHeld("sync/1", left)
		if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != want {
			t.Errorf("LeaseHeld(%v) = %v, want ECONFLICT %q", left, err, want)
		}
	}
}
