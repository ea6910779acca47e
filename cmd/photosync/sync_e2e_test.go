package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// syncJob is a sync job as `photosync sync --json` prints it.
type syncJob struct {
	upJob
	Downloaded int
}

// davSide is a test server's files as a sync test arranges and checks
// them: written and removed the way the server itself would see it.
type davSide struct {
	name, url, user, pass, dir string
	write                      func(t *testing.T, rel string, data []byte)
	remove                     func(t *testing.T, rel string)
}

// startServers starts rclone's and Apache's WebDAV servers and the
// Nextcloud test server.
func startServers(t *testing.T) []davSide {
	t.Helper()
	nc := davtest.StartNextcloud(t)
	sides := []davSide{{
		name: "nextcloud", url: nc.BaseURL, user: nc.LoginName, pass: nc.Password, dir: nc.Dir,
		write:  func(t *testing.T, rel string, data []byte) { nc.WriteFile(t, rel, data) },
		remove: func(t *testing.T, rel string) { nc.Remove(t, rel) },
	}}
	for _, s := range []struct {
		name  string
		start func(testing.TB) *davtest.Server
	}{{"rclone", davtest.StartRclone}, {"apache", davtest.StartApache}} {
		srv := s.start(t)
		sides = append(sides, davSide{
			name: s.name, url: srv.URL, user: srv.Username, pass: srv.Password, dir: srv.Dir,
			write: func(t *testing.T, rel string, data []byte) { srv.WriteFile(t, rel, data) },
			remove: func(t *testing.T, rel string) {
				if err := os.Remove(filepath.Join(srv.Dir, filepath.FromSlash(rel))); err != nil {
					t.Fatal(err)
				}
			},
		})
	}
	return sides
}

// syncAccount connects a server with sync on to folder, with more
// account edit flags.
func (e *upEnv) syncAccount(s davSide, folder string, flags ...string) int64 {
	e.t.Helper()
	id := e.addAccount(s.url, s.user, s.pass)
	args := append([]string{"account", "edit", strconv.FormatInt(id, 10), "--sync", "--sync-folder", folder}, flags...)
	if _, err := e.cli("", args...); err != nil {
		e.t.Fatalf("account edit: %v", err)
	}
	return id
}

// sync runs `photosync sync --account ID --json` and returns the job; err
// is nil only for a job that ended done.
func (e *upEnv) sync(account int64) (syncJob, error) {
	e.t.Helper()
	out, err := e.cli("", "sync", "--account", strconv.FormatInt(account, 10), "--json")
	var j syncJob
	if jerr := json.Unmarshal([]byte(out), &j); jerr != nil {
		e.t.Fatalf("sync: %v (%v)\n%s", jerr, err, out)
	}
	return j, err
}

// mustSync syncs and fails unless the job ended done having moved what is
// expected.
func (e *upEnv) mustSync(account int64, down, up int) syncJob {
	e.t.Helper()
	j, err := e.sync(account)
	if err != nil || j.State != "done" || j.Downloaded != down || j.Uploaded != up {
		e.t.Fatalf("sync: %v, job %+v; want done with %d down and %d up", err, j, down, up)
	}
	return j
}

// tree returns the files below dir (hidden ones too) by slash-separated
// path, with their content.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	// A sync may be running while the tree is read (the kill test polls
	// it): a temporary file renamed away between listing and reading is
	// simply not there.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// noHidden fails when a tree holds a hidden, temporary or partial file.
func noHidden(t *testing.T, files map[string][]byte) {
	t.Helper()
	for p := range files {
		if strings.HasPrefix(p, ".") || strings.Contains(p, "/.") || strings.HasSuffix(p, ".tmp") || strings.HasSuffix(p, ".part") {
			t.Errorf("left behind: %s", p)
		}
	}
}

// photoSet is a photo with its RAW, video and sidecar, and a file of no
// known kind, as a server might hold them.
func photoSet(t *testing.T, taken time.Time, seed int64) map[string][]byte {
	return map[string][]byte{
		"IMG_1.JPG":  mediatest.JPEG(t, mediatest.JPEGOptions{Width: 320, Height: 240, TakenAt: taken, Seed: seed}),
		"IMG_1.DNG":  mediatest.RAW(t, seed+1, 40000),
		"IMG_1.MOV":  mediatest.Video(t, seed+2, 90000),
		"IMG_1.xmp":  mediatest.Sidecar(t, "IMG_1"),
		"readme.txt": []byte("not a photo"),
	}
}

// TestSyncModesOnEveryServer: against rclone, Apache and the Nextcloud
// test server, two-way with names kept, download only with normalised
// names and without RAW and video, and upload only without video; each
// second run moves nothing, and nothing that came down goes back up.
func TestSyncModesOnEveryServer(t *testing.T) {
	taken := time.Date(2024, 6, 1, 12, 30, 45, 0, time.UTC)
	for _, srv := range startServers(t) {
		t.Run(srv.name, func(t *testing.T) {
			set := photoSet(t, taken, 10)
			for name, data := range set {
				srv.write(t, "Two/2024/"+name, data)
				srv.write(t, "Norm/2024/"+name, data)
			}
			srv.write(t, "Up/old.jpg", set["IMG_1.JPG"])

			t.Run("two-way", func(t *testing.T) {
				e := newUpEnv(t)
				mine := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 200, Height: 100, TakenAt: taken, Seed: 77})
				e.write("trip/DSC_1.jpg", mine)
				e.write("trip/DSC_1.xmp", mediatest.Sidecar(t, "DSC_1"))
				id := e.syncAccount(srv, "/Two")
				e.mustSync(id, 4, 2)
				lib := tree(t, e.library())
				for _, name := range []string{"IMG_1.JPG", "IMG_1.DNG", "IMG_1.MOV", "IMG_1.xmp"} {
					if !bytes.Equal(lib["nextcloud/2024/"+name], set[name]) {
						t.Errorf("nextcloud/2024/%s: %d bytes, want %d", name, len(lib["nextcloud/2024/"+name]), len(set[name]))
					}
				}
				if _, ok := lib["nextcloud/2024/readme.txt"]; ok || len(lib) != 6 {
					t.Errorf("library %v", slices.Sorted(mapKeys(lib)))
				}
				noHidden(t, lib)
				remote := tree(t, filepath.Join(srv.dir, "Two"))
				if !bytes.Equal(remote["trip/DSC_1.jpg"], mine) || remote["trip/DSC_1.xmp"] == nil || len(remote) != 7 {
					t.Errorf("server %v", slices.Sorted(mapKeys(remote)))
				}
				e.mustSync(id, 0, 0)
				if again := tree(t, filepath.Join(srv.dir, "Two")); len(again) != 7 {
					t.Errorf("after a second run the server holds %v", slices.Sorted(mapKeys(again)))
				}
				if again := tree(t, e.library()); len(again) != 6 {
					t.Errorf("after a second run the library holds %v", slices.Sorted(mapKeys(again)))
				}
			})

			t.Run("download only, normalised, no RAW or video", func(t *testing.T) {
				e := newUpEnv(t)
				e.write("mine.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: 5}))
				id := e.syncAccount(srv, "/Norm", "--sync-upload=false", "--sync-preserve-names=false", "--sync-raw=false", "--sync-video=false")
				e.mustSync(id, 2, 0) // the photo and its sidecar
				lib := tree(t, e.library())
				want := "nextcloud/2024/06/20240601_123045_" + sha1Hex(set["IMG_1.JPG"])[:8] + ".jpg"
				if !bytes.Equal(lib[want], set["IMG_1.JPG"]) || len(lib) != 3 {
					t.Errorf("library %v; want %s", slices.Sorted(mapKeys(lib)), want)
				}
				if _, err := os.Stat(filepath.Join(srv.dir, "Norm", "mine.jpg")); err == nil {
					t.Error("a library file went up with uploads off")
				}
				e.mustSync(id, 0, 0)
			})

			t.Run("upload only, no video", func(t *testing.T) {
				e := newUpEnv(t)
				photo := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 50, Height: 40, TakenAt: taken, Seed: 8})
				e.write("a/P1.jpg", photo)
				e.write("a/P1.mp4", mediatest.Video(t, 9, 5000))
				id := e.syncAccount(srv, "/Up", "--sync-download=false", "--sync-video=false")
				e.mustSync(id, 0, 1)
				remote := tree(t, filepath.Join(srv.dir, "Up"))
				if !bytes.Equal(remote["a/P1.jpg"], photo) || len(remote) != 2 {
					t.Errorf("server %v", slices.Sorted(mapKeys(remote)))
				}
				if lib := tree(t, e.library()); len(lib) != 2 {
					t.Errorf("a remote file came down with downloads off: %v", slices.Sorted(mapKeys(lib)))
				}
				e.mustSync(id, 0, 0)
			})
		})
	}
}

// TestSyncChangesOnEveryServer: a remote change updates the library, a
// library change goes up again, a change on both sides keeps both, and a
// file deleted on either side is not copied back.
func TestSyncChangesOnEveryServer(t *testing.T) {
	pic := func(seed int64, w int) []byte {
		return mediatest.JPEG(t, mediatest.JPEGOptions{Width: w, Height: 30, Seed: seed})
	}
	for _, srv := range startServers(t) {
		t.Run(srv.name, func(t *testing.T) {
			e := newUpEnv(t)
			for _, n := range []string{"a", "b", "c", "d"} {
				srv.write(t, "Ch/"+n+".jpg", pic(int64(n[0]), 40))
			}
			e.write("mine.jpg", pic(1, 40))
			id := e.syncAccount(srv, "/Ch")
			e.mustSync(id, 4, 1)

			srv.write(t, "Ch/a.jpg", pic(100, 60))                                              // changed on the server
			e.write("nextcloud/b.jpg", pic(101, 61))                                            // changed in the library
			srv.write(t, "Ch/c.jpg", pic(102, 62))                                              // changed on both sides
			e.write("nextcloud/c.jpg", pic(103, 63))                                            //
			srv.remove(t, "Ch/mine.jpg")                                                        // deleted on the server
			if err := os.Remove(filepath.Join(e.library(), "nextcloud", "d.jpg")); err != nil { // deleted in the library
				t.Fatal(err)
			}
			// The job counts c, kept both ways, as downloaded.
			e.mustSync(id, 2, 1)
			lib := tree(t, e.library())
			remote := tree(t, filepath.Join(srv.dir, "Ch"))
			var conflict string
			for p := range lib {
				if strings.HasPrefix(p, "nextcloud/c (conflict ") {
					conflict = p
				}
			}
			switch {
			case !bytes.Equal(lib["nextcloud/a.jpg"], pic(100, 60)):
				t.Error("the remote change did not come down")
			case !bytes.Equal(remote["b.jpg"], pic(101, 61)):
				t.Error("the library change did not go up")
			case !bytes.Equal(lib["nextcloud/c.jpg"], pic(103, 63)) || !bytes.Equal(remote["c.jpg"], pic(103, 63)):
				t.Error("the library's version of c is not on both sides")
			case conflict == "" || !bytes.Equal(lib[conflict], pic(102, 62)):
				t.Errorf("the server's version of c was not kept: %v", slices.Sorted(mapKeys(lib)))
			case remote["mine.jpg"] != nil || lib["nextcloud/d.jpg"] != nil:
				t.Error("a deleted file was copied back")
			}
			e.mustSync(id, 0, 0)
			if _, ok := tree(t, filepath.Join(srv.dir, "Ch"))["mine.jpg"]; ok {
				t.Error("the file deleted on the server came back on a later run")
			}
		})
	}
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// TestServeSyncs: `photosync serve` syncs a due account by itself, and
// the API starts a sync, answers a dry run's plan, the runs and the files.
func TestServeSyncs(t *testing.T) {
	srv := davtest.StartRclone(t)
	first := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 40, Height: 30, Seed: 1})
	srv.WriteFile(t, "Photos/a.jpg", first)
	e := newUpEnv(t)
	id := e.syncAccount(davSide{url: srv.URL, user: srv.Username, pass: srv.Password}, "/Photos", "--sync-interval", "1h")
	in := startServe(t, e.env["PHOTOSYNC_DATA"], map[string]string{"PHOTOSYNC_LIBRARY": e.library(), "PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e"})
	in.login("admin-e2e")
	base := "/api/v1/accounts/" + strconv.FormatInt(id, 10)

	var runs struct {
		Runs []struct {
			Downloaded int
			Complete   bool
		}
	}
	waitFor(t, "serve to sync the due account", func() bool {
		in.call("GET", base+"/runs", nil, &runs)
		return len(runs.Runs) == 1 && runs.Runs[0].Complete
	})
	if runs.Runs[0].Downloaded != 1 || !bytes.Equal(tree(t, e.library())["nextcloud/a.jpg"], first) {
		t.Fatalf("the scheduled sync: %+v", runs)
	}

	srv.WriteFile(t, "Photos/b.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 40, Height: 30, Seed: 2}))
	var plan struct {
		Plan []struct {
			Op         string
			RemotePath string `json:"remote_path"`
		}
	}
	if st := in.call("POST", base+"/sync", map[string]bool{"dry_run": true}, &plan); st != 200 || len(plan.Plan) != 1 || plan.Plan[0].RemotePath != "/Photos/b.jpg" {
		t.Fatalf("dry run: %d %+v", st, plan)
	}
	var job struct {
		ID         int64
		State      string
		Downloaded int
	}
	if st := in.call("POST", base+"/sync", nil, &job); st != 202 {
		t.Fatalf("sync: %d", st)
	}
	waitFor(t, "the sync job to end", func() bool {
		in.call("GET", "/api/v1/jobs/"+strconv.FormatInt(job.ID, 10), nil, &job)
		return job.State != "queued" && job.State != "running"
	})
	if job.State != "done" || job.Downloaded != 1 {
		t.Fatalf("sync job %+v", job)
	}
	var files struct{ Files []any }
	if st := in.call("GET", base+"/files?state=all", nil, &files); st != 200 || files.Files == nil || len(files.Files) != 0 {
		t.Fatalf("files: %d %+v", st, files)
	}
}

// TestSyncTrustsNextcloudFolderETags: Nextcloud always propagates folder
// ETags, so from the second run on a run lists only the folders whose ETag
// changed: with nothing changed, the sync folder alone (issue 17: nothing
// to learn first).
func TestSyncTrustsNextcloudFolderETags(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	for _, dir := range []string{"A", "B", "B/C"} {
		nc.WriteFile(t, "Photos/"+dir+"/x.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: int64(len(dir))}))
	}
	e := newUpEnv(t)
	id := e.syncAccount(davSide{url: nc.BaseURL, user: nc.LoginName, pass: nc.Password}, "/Photos")
	listings := func(run func()) int {
		before := len(nc.Requests())
		run()
		n := 0
		for _, r := range nc.Requests()[before:] {
			if r.Method == "PROPFIND" && r.Depth == "1" {
				n++
			}
		}
		return n
	}
	if n := listings(func() { e.mustSync(id, 3, 0) }); n != 4 {
		t.Errorf("the first run listed %d folders, want 4", n)
	}
	nc.WriteFile(t, "Photos/B/C/y.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: 9}))
	if n := listings(func() { e.mustSync(id, 1, 0) }); n != 3 {
		t.Errorf("after a change in B/C the second run listed %d folders, want /Photos, B and B/C", n)
	}
	if n := listings(func() { e.mustSync(id, 0, 0) }); n != 1 {
		t.Errorf("with nothing changed the third run listed %d folders, want only the sync folder", n)
	}
	nc.WriteFile(t, "Photos/B/C/z.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 20, Height: 20, Seed: 10}))
	if n := listings(func() { e.mustSync(id, 1, 0) }); n != 3 {
		t.Errorf("after a change in B/C the run listed %d folders, want /Photos, B and B/C", n)
	}
}
