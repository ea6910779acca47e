package localfs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Temporary files carry their owner.
//
// A write's temporary file is named
//
//	.<name>.photosync-<host>-<pid>-<instance>-<16 hex>.tmp
//
// host being 8 hex digits of a hash of what names the machine as its
// processes see it (see machine: on Linux its name, its boot and the PID
// namespace, so that two containers, each with its PID 1, are two
// machines), pid the writing process's ID and instance 8 random hex
// digits drawn once per process. RemoveTemps removes only the temporary files whose owner is
// gone: a process of this machine that no longer runs, or an earlier
// process that had this process's ID (a container's photosync is often
// PID 1 at every start). Two photosync processes writing into one
// library, on one machine or two sharing the disk, therefore never
// remove each other's writes in flight. When the owner cannot be asked
// (another machine), or its process ID may have been given to another
// program, a temporary file untouched for staleTempAge is taken for
// abandoned.
//
// Names without an owner (.<name>.photosync-<16 hex>.tmp) are those of
// photosync before owners, and the staging files of a sync, which the sync
// names itself: they are removed as before owners, whoever wrote them.

const (
	tempInfix  = ".photosync-"
	tempSuffix = ".tmp"
	tempRandom = 16 // hex digits
	// maxTempFor is how many bytes of a name its temporary file keeps:
	// with the rest of the temporary name, at most 255 bytes.
	maxTempFor = 190
	// staleTempAge is how long a temporary file whose owner cannot be
	// asked may sit unchanged before RemoveTemps takes it for abandoned.
	// A write in flight changes its file every few milliseconds.
	staleTempAge = 24 * time.Hour
)

// owner is the writer of a temporary file.
type owner struct {
	host     string // 8 hex digits
	pid      int
	instance string // 8 hex digits
}

func (o owner) String() string { return fmt.Sprintf("%s-%d-%s", o.host, o.pid, o.instance) }

// thisProcess is the owner of the temporary files this process writes.
var thisProcess = func() owner {
	h := fnv.New32a()
	h.Write([]byte(machine()))
	var b [4]byte
	rand.Read(b[:])
	return owner{host: fmt.Sprintf("%08x", h.Sum32()), pid: os.Getpid(), instance: hex.EncodeToString(b[:])}
}()

// tempName is the temporary name for a file named base written by o:
// hidden, with a random part, within the 255 bytes a name may have.
func tempName(base string, o owner, random string) string {
	for len(base) > maxTempFor {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return "." + base + tempInfix + o.String() + "-" + random + tempSuffix
}

// parseTempName reports whether name is one that tempName makes, or one
// of the names without an owner, and its owner (ok true, has false for
// none).
func parseTempName(name string) (o owner, has, ok bool) {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, tempSuffix) {
		return owner{}, false, false
	}
	stem := strings.TrimSuffix(name, tempSuffix)
	i := strings.LastIndex(stem, tempInfix)
	if i < 1 {
		return owner{}, false, false
	}
	parts := strings.Split(stem[i+len(tempInfix):], "-")
	if !isHex(parts[len(parts)-1], tempRandom) {
		return owner{}, false, false
	}
	switch len(parts) {
	case 1:
		return owner{}, false, true
	case 4:
		pid, err := strconv.Atoi(parts[1])
		if err != nil || pid <= 0 || !isHex(parts[0], 8) || !isHex(parts[2], 8) {
			return owner{}, false, false
		}
		return owner{host: parts[0], pid: pid, instance: parts[2]}, true, true
	}
	return owner{}, false, false
}

// isTempName reports whether name is the name of a temporary file.
func isTempName(name string) bool {
	_, _, ok := parseTempName(name)
	return ok
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// abandoned reports whether the temporary file named name (with the
// details fi) is left by a writer that is gone, as seen by the process
// me at now.
func abandoned(name string, fi fs.FileInfo, me owner, now time.Time) bool {
	o, has, _ := parseTempName(name)
	stale := now.Sub(changed(fi)) > staleTempAge
	switch {
	case !has:
		return true
	case o == me:
		return false // a write of this process, maybe of another Writer
	case o.host != me.host:
		return stale // another machine's: it cannot be asked
	case o.pid == me.pid:
		return true // an earlier process with this process's ID
	case !processRuns(o.pid):
		return true
	}
	return stale // a running process, maybe another program with the ID now
}
