//go:build !wasm

// The real servers need sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/adapters/webdav/davtest/faultproxy"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestSyncAgainstHostileServers syncs from a server that lies in every
// way davtest.StartHostile knows: photosync writes nothing outside the
// library (a sibling folder and the parent stay as they were), only
// ordinary files inside it, never sends the credentials to another host,
// keeps its memory bounded, and says what went wrong.
func TestSyncAgainstHostileServers(t *testing.T) {
	good := bytes.Repeat([]byte("g"), davtest.HostileSize)
	for _, tc := range []struct {
		answer davtest.HostileAnswer
		code   string // the run's error code, "" when it succeeds
		msg    string // in the run's error, or in its first file error
		files  map[string][]byte
	}{
		{answer: davtest.HostileDotDot, files: map[string][]byte{"nextcloud/good.jpg": good}},
		// An absolute href names a path; whatever its host, the path is
		// read from the account's server (a proxy may name another host),
		// never from the host named.
		{answer: davtest.HostileOtherHost, files: map[string][]byte{"nextcloud/good.jpg": good, "nextcloud/evil.jpg": bytes.Repeat([]byte("e"), davtest.HostileSize)}},
		{answer: davtest.HostileEncoded, files: map[string][]byte{"nextcloud/good.jpg": good}},
		{answer: davtest.HostileCaseFold, files: map[string][]byte{"nextcloud/good.jpg": good,
			"nextcloud/IMG_1.JPG": bytes.Repeat([]byte("I"), davtest.HostileSize), "nextcloud/img_1 (1).jpg": bytes.Repeat([]byte("i"), davtest.HostileSize)}},
		// Two names equal after NFC are one name (issue 16): the second
		// in order is numbered, as two names equal but for case are.
		{answer: davtest.HostileUnicode, files: map[string][]byte{"nextcloud/good.jpg": good,
			"nextcloud/caf\u00e9 (1).jpg": bytes.Repeat([]byte("c"), davtest.HostileSize), "nextcloud/cafe\u0301.jpg": bytes.Repeat([]byte("D"), davtest.HostileSize)}},
		{answer: davtest.HostileHugeListing, files: map[string][]byte{"nextcloud/good.jpg": good}},
		{answer: davtest.HostileEndless, code: domain.EINVALID, msg: "is larger than photosync reads"},
		{answer: davtest.HostileDeepXML, code: domain.EINVALID, msg: "is not a WebDAV server"},
		{answer: davtest.HostileRedirect, code: domain.EINVALID, msg: "redirected /Photos to http://localhost:"},
		{answer: davtest.HostileLargerFile, msg: "received more than the 1000 bytes announced"},
		{answer: davtest.HostileSmallerFile, msg: "received 500 of 1000 bytes"},
		{answer: davtest.HostileEndlessFile, msg: "received more than the 1000 bytes announced"},
		// net/http's server will not send more than it declared and
		// breaks the connection off instead: the file fails cleanly.
		{answer: davtest.HostileLyingLength, msg: "broke off"},
	} {
		if tc.answer == davtest.HostileEndless && !faultproxy.Soak() {
			// 256 MB of XML to reach the limit takes minutes under the
			// race detector: the short run has it against the client
			// alone, with a lower limit (TestEndlessListing).
			continue
		}
		t.Run(string(tc.answer), func(t *testing.T) {
			h := davtest.StartHostile(t, tc.answer)
			h.ListingSize = int64(faultproxy.Scale(16, 100)) << 20
			root := t.TempDir()
			lib, sibling := filepath.Join(root, "library"), filepath.Join(root, "sibling")
			for _, d := range []string{lib, sibling} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(sibling, "keep.txt"), []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			w := newRealWorld(t, lib, h.URL, h.Username, h.Password)

			growth, run, err := relHeapGrowth(func() (domain.SyncRun, error) {
				return runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true))
			})
			switch {
			case tc.code != "":
				if domain.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("Sync = %v (%s); want %s saying %q", err, domain.ErrorCode(err), tc.code, tc.msg)
				}
			case err != nil:
				t.Errorf("Sync = %v; want a run that refuses what is hostile and syncs the rest", err)
			case tc.msg != "":
				if run.Failed != 1 || len(run.Errors) != 1 || !strings.Contains(run.Errors[0].Message, tc.msg) {
					t.Errorf("run %+v; want good.jpg failed saying %q", run, tc.msg)
				}
			case run.Downloaded != len(tc.files) || run.Failed != 0:
				t.Errorf("run %+v; want %d downloaded, none failed", run, len(tc.files))
			}
			if growth > 64<<20 {
				t.Errorf("the heap grew by %d MB during the sync (the server sent %d MB)", growth>>20, h.Served()>>20)
			}
			if n := h.OtherSawCredentials(); n > 0 {
				t.Errorf("another host received the credentials %d times", n)
			}
			gotLib := soakTree(t, lib)
			if tc.files == nil {
				tc.files = map[string][]byte{}
			}
			soakSame(t, "library", gotLib, tc.files)
			entries, _ := os.ReadDir(root)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, []string{"library", "sibling"}) {
				t.Errorf("the library's parent holds %v", names)
			}
			soakSame(t, "sibling", soakTree(t, sibling), map[string][]byte{"keep.txt": []byte("keep")})
			if tc.answer == davtest.HostileHugeListing {
				faultproxy.Report(t, fmt.Sprintf("hostile server: %d MB listing", h.ListingSize>>20), fmt.Sprintf("%d MB served, heap grew %d MB, 1 good file synced",
					h.Served()>>20, growth>>20))
			}
		})
	}
	faultproxy.Report(t, "hostile server answers", fmt.Sprintf("%d hostile answers tried (%s): nothing written outside the library, no credentials to another host, heap growth < 64 MB",
		len(davtest.HostileAnswers), relJoin(davtest.HostileAnswers)))
}

func relJoin(as []davtest.HostileAnswer) string {
	var s []string
	for _, a := range as {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

// relHeapGrowth runs fn and returns how far the live heap grew above
// where it stood before, at its highest, sampled every millisecond.
func relHeapGrowth[T any](fn func() (T, error)) (uint64, T, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	v, err := fn()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base, v, err
	}
	return 0, v, err
}
