package domain_test

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// Times of the sync tests: files are written at syncT0, runs plan at syncNow.
var (
	syncT0  = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	syncNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
)

// digest is the SHA-1 of data in lower-case hex.
func digest(data string) string {
	h := sha1.Sum([]byte(data))
	return hex.EncodeToString(h[:])
}

// etagOf is the ETag a server gives data: quoted, as WebDAV servers send it.
func etagOf(data string) string { return `"` + digest(data)[:12] + `"` }

// rfile is a remote file holding data, with an ETag and no checksum, as
// rclone's and Apache's servers list it.
func rfile(p, data string) domain.RemoteFile {
	return domain.RemoteFile{Path: p, Name: path.Base(p), Size: int64(len(data)), ModTime: syncT0, ETag: etagOf(data)}
}

// withSum gives a remote file the SHA-1 checksum Nextcloud reports.
func withSum(r domain.RemoteFile, data string) domain.RemoteFile {
	r.Checksum = domain.SHA1Checksum(digest(data))
	return r
}

// lfile is a present, indexed library file holding data.
func lfile(p, data string) domain.LibraryFile {
	return domain.LibraryFile{Path: p, Kind: domain.KindOf(p), Size: int64(len(data)), ModTime: syncT0, SHA1: digest(data)}
}

// gone is a library file the index knows as missing.
func gone(p string) domain.LibraryFile {
	f := lfile(p, "old")
	f.Missing = true
	return f
}

// spair is the pair a successful transfer of data records.
func spair(rp, lp, data string) domain.SyncPair {
	return domain.SyncPair{AccountID: 1, LocalPath: lp, RemotePath: rp, Size: int64(len(data)),
		LocalModTime: syncT0, RemoteModTime: syncT0, ETag: etagOf(data), SHA1: digest(data), SyncedAt: syncT0}
}

// syncSettings are two-way settings with every kind and preserved names;
// mods change them.
func syncSettings(mods ...func(*domain.SyncSettings)) domain.SyncSettings {
	s := domain.SyncSettings{AccountID: 1, Folder: "/Photos", Download: true, Upload: true, PreserveNames: true,
		Raw: true, Video: true, RetryLimit: 5, DownloadFolder: "nextcloud"}
	for _, m := range mods {
		m(&s)
	}
	return s
}

func downOnly(s *domain.SyncSettings)   { s.Upload = false }
func upOnly(s *domain.SyncSettings)     { s.Download = false }
func normalised(s *domain.SyncSettings) { s.PreserveNames = false }
func noRaw(s *domain.SyncSettings)      { s.Raw = false }
func noVideo(s *domain.SyncSettings)    { s.Video = false }

// showAction writes an action on one line: what moves where, and why.
func showAction(a domain.SyncAction) string {
	why := ""
	if a.Reason != "" {
		why = " (" + a.Reason + ")"
	}
	switch a.Op {
	case domain.OpDownload, domain.OpUpdateLocal:
		lp := a.LocalPath
		if lp == "" {
			lp = "<normalised>"
		}
		return fmt.Sprintf("%s %s -> %s%s", a.Op, a.RemotePath, lp, why)
	case domain.OpUpload, domain.OpUploadAgain:
		return fmt.Sprintf("%s %s -> %s%s", a.Op, a.LocalPath, a.RemotePath, why)
	case domain.OpKeepBoth:
		return fmt.Sprintf("keep_both %s -> %s, %s -> %s%s", a.RemotePath, a.ConflictPath, a.LocalPath, a.RemotePath, why)
	case domain.OpLink:
		return fmt.Sprintf("link %s = %s", a.RemotePath, a.LocalPath)
	case domain.OpRememberDeletion:
		return fmt.Sprintf("remember_deletion %s %s", a.Direction, a.RemotePath)
	case domain.OpForget:
		return fmt.Sprintf("forget %s%s", a.RemotePath, why)
	case domain.OpSkip:
		p := a.RemotePath
		if a.Direction == domain.SyncUp {
			p = a.LocalPath
		}
		return fmt.Sprintf("skip %s %s%s", a.Direction, p, why)
	}
	return fmt.Sprintf("unknown op %q", a.Op)
}

func showPlan(p domain.SyncPlan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, showAction(a))
	}
	return out
}

// planCase is one single-run case of the planner.
type planCase struct {
	name     string
	settings func(*domain.SyncSettings)
	remote   []domain.RemoteFile
	local    []domain.LibraryFile
	pairs    []domain.SyncPair
	failures []domain.SyncFailure
	want     []string
}

func runPlanCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s := syncSettings()
			if tt.settings != nil {
				tt.settings(&s)
			}
			in := domain.SyncInput{Settings: s, Remote: tt.remote, Local: tt.local, Pairs: tt.pairs,
				Failures: tt.failures, Now: syncNow}
			got := showPlan(domain.PlanSync(in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("plan\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

func TestPlanSyncNewFiles(t *testing.T) {
	remote := []domain.RemoteFile{rfile("/Photos/a.jpg", "A"), rfile("/Photos/2020/b.JPG", "BB")}
	local := []domain.LibraryFile{lfile("x.jpg", "XXX"), lfile("2021/y.heic", "YYYY")}
	runPlanCases(t, []planCase{
		{
			name: "two-way: new files go both ways, names preserved", remote: remote, local: local,
			want: []string{
				"download /Photos/2020/b.JPG -> nextcloud/2020/b.JPG",
				"download /Photos/a.jpg -> nextcloud/a.jpg",
				"upload 2021/y.heic -> /Photos/2021/y.heic",
				"upload x.jpg -> /Photos/x.jpg",
			},
		},
		{
			name: "names normalised: the executor names each download", settings: normalised, remote: remote, local: local,
			want: []string{
				"download /Photos/2020/b.JPG -> <normalised>",
				"download /Photos/a.jpg -> <normalised>",
				"upload 2021/y.heic -> /Photos/2021/y.heic",
				"upload x.jpg -> /Photos/x.jpg",
			},
		},
		{
			name: "download only", settings: downOnly, remote: remote, local: local,
			want: []string{"download /Photos/2020/b.JPG -> nextcloud/2020/b.JPG", "download /Photos/a.jpg -> nextcloud/a.jpg"},
		},
		{
			name: "upload only", settings: upOnly, remote: remote, local: local,
			want: []string{"upload 2021/y.heic -> /Photos/2021/y.heic", "upload x.jpg -> /Photos/x.jpg"},
		},
		{
			name:     "neither direction",
			settings: func(s *domain.SyncSettings) { s.Download, s.Upload = false, false },
			remote:   remote, local: local, want: nil,
		},
		{
			name:   "two-way without bounce: what came down stays, what went up stays",
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A"), rfile("/Photos/x.jpg", "XXX")},
			local:  []domain.LibraryFile{lfile("nextcloud/a.jpg", "A"), lfile("x.jpg", "XXX")},
			pairs:  []domain.SyncPair{spair("/Photos/a.jpg", "nextcloud/a.jpg", "A"), spair("/Photos/x.jpg", "x.jpg", "XXX")},
			want:   nil,
		},
		{
			name:     "root sync folder, downloads to the library root",
			settings: func(s *domain.SyncSettings) { s.Folder, s.DownloadFolder = "/", "" },
			remote:   []domain.RemoteFile{rfile("/a.jpg", "A")}, local: []domain.LibraryFile{lfile("b/c.jpg", "CC")},
			want: []string{"download /a.jpg -> a.jpg", "upload b/c.jpg -> /b/c.jpg"},
		},
		{
			name:  "a library file in the download folder with no pair goes up like any other",
			local: []domain.LibraryFile{lfile("nextcloud/other.jpg", "OO")},
			want:  []string{"upload nextcloud/other.jpg -> /Photos/nextcloud/other.jpg"},
		},
		{
			name:     "a hidden sync folder syncs: only what is below it counts",
			settings: func(s *domain.SyncSettings) { s.Folder = "/.photos" },
			remote:   []domain.RemoteFile{rfile("/.photos/a.jpg", "A")}, local: []domain.LibraryFile{lfile("x.jpg", "XXX")},
			want: []string{"download /.photos/a.jpg -> nextcloud/a.jpg", "upload x.jpg -> /.photos/x.jpg"},
		},
		{
			name:   "folders in the listing are left out",
			remote: []domain.RemoteFile{{Path: "/Photos/2020.jpg", Name: "2020.jpg", IsDir: true}, rfile("/Photos/2020.jpg/a.jpg", "A")},
			want:   []string{"download /Photos/2020.jpg/a.jpg -> nextcloud/2020.jpg/a.jpg"},
		},
		{
			name:   "a file listed twice is planned once",
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A"), rfile("/Photos/a.jpg", "A")},
			local:  []domain.LibraryFile{lfile("x.jpg", "XXX"), lfile("x.jpg", "XXX")},
			want:   []string{"download /Photos/a.jpg -> nextcloud/a.jpg", "upload x.jpg -> /Photos/x.jpg"},
		},
	})
}

func TestPlanSyncKinds(t *testing.T) {
	raws := []domain.RemoteFile{
		rfile("/Photos/canon.dng", "D1"), rfile("/Photos/canon.xmp", "X1"), rfile("/Photos/IMG_1.JPG", "J1"),
		rfile("/Photos/IMG_1.xmp", "X2"), rfile("/Photos/IMG_2.CR2", "R2"), rfile("/Photos/IMG_2.JPG", "J22"),
	}
	videos := []domain.RemoteFile{
		rfile("/Photos/IMG_3.JPG", "J3"), rfile("/Photos/IMG_3.MOV", "M3"), rfile("/Photos/clip.mp4", "V"), rfile("/Photos/clip.json", "{}"),
	}
	runPlanCases(t, []planCase{
		{
			name: "RAW off: a RAW and its sidecar stay; a JPEG's sidecar moves", settings: func(s *domain.SyncSettings) { noRaw(s); downOnly(s) },
			remote: raws,
			want: []string{
				"download /Photos/IMG_1.JPG -> nextcloud/IMG_1.JPG",
				"download /Photos/IMG_1.xmp -> nextcloud/IMG_1.xmp",
				"download /Photos/IMG_2.JPG -> nextcloud/IMG_2.JPG",
			},
		},
		{
			name: "RAW on: RAW files and their sidecars move", settings: downOnly, remote: raws[:2],
			want: []string{"download /Photos/canon.dng -> nextcloud/canon.dng", "download /Photos/canon.xmp -> nextcloud/canon.xmp"},
		},
		{
			name: "RAW off, upload side", settings: func(s *domain.SyncSettings) { noRaw(s); upOnly(s) },
			local: []domain.LibraryFile{lfile("canon.dng", "D1"), lfile("canon.xmp", "X1"), lfile("IMG_1.JPG", "J1"), lfile("IMG_1.xmp", "X2")},
			want:  []string{"upload IMG_1.JPG -> /Photos/IMG_1.JPG", "upload IMG_1.xmp -> /Photos/IMG_1.xmp"},
		},
		{
			name: "video off: a live photo's video and a lone video's sidecar stay", settings: func(s *domain.SyncSettings) { noVideo(s); downOnly(s) },
			remote: videos, want: []string{"download /Photos/IMG_3.JPG -> nextcloud/IMG_3.JPG"},
		},
		{
			name: "video on: videos and their sidecars move", settings: downOnly, remote: videos,
			want: []string{
				"download /Photos/IMG_3.JPG -> nextcloud/IMG_3.JPG", "download /Photos/IMG_3.MOV -> nextcloud/IMG_3.MOV",
				"download /Photos/clip.json -> nextcloud/clip.json", "download /Photos/clip.mp4 -> nextcloud/clip.mp4",
			},
		},
		{
			name: "video off, upload side", settings: func(s *domain.SyncSettings) { noVideo(s); upOnly(s) },
			local: []domain.LibraryFile{lfile("IMG_3.JPG", "J3"), lfile("IMG_3.MOV", "M3"), lfile("clip.mp4", "V"), lfile("clip.json", "{}")},
			want:  []string{"upload IMG_3.JPG -> /Photos/IMG_3.JPG"},
		},
		{
			name:   "sidecars follow their photo both ways, edited copies included; orphans stay",
			remote: []domain.RemoteFile{rfile("/Photos/IMG_5.AAE", "AAE"), rfile("/Photos/IMG_E5.JPG", "E5"), rfile("/Photos/lost.json", "{}")},
			local:  []domain.LibraryFile{lfile("trip/IMG_9.HEIC", "H9"), lfile("trip/IMG_9.HEIC.xmp", "X9"), lfile("trip/alone.xmp", "XA")},
			want: []string{
				"download /Photos/IMG_5.AAE -> nextcloud/IMG_5.AAE", "download /Photos/IMG_E5.JPG -> nextcloud/IMG_E5.JPG",
				"upload trip/IMG_9.HEIC -> /Photos/trip/IMG_9.HEIC", "upload trip/IMG_9.HEIC.xmp -> /Photos/trip/IMG_9.HEIC.xmp",
			},
		},
		{
			name: "hidden, partial, temporary and unknown files are ignored on both sides",
			remote: []domain.RemoteFile{
				rfile("/Photos/.thumbs/a.jpg", "1"), rfile("/Photos/b.jpg.part", "2"), rfile("/Photos/c.jpg~", "3"),
				rfile("/Photos/.~d.jpg", "4"), rfile("/Photos/e.tmp", "5"), rfile("/Photos/notes.txt", "6"), rfile("/Photos/.f.jpg", "7"),
			},
			local: []domain.LibraryFile{
				lfile(".thumbs/a.jpg", "1"), lfile("b.jpg.part", "2"), lfile("c.jpg~", "3"), lfile(".~d.jpg", "4"),
				lfile("e.tmp", "5"), lfile("notes.txt", "6"), lfile("x/.f.jpg", "7"),
			},
			want: nil,
		},
		{
			name: "RAW off: a paired RAW file is left as it is", settings: noRaw,
			remote: []domain.RemoteFile{rfile("/Photos/canon.dng", "D2")}, local: []domain.LibraryFile{gone("nextcloud/canon.dng")},
			pairs: []domain.SyncPair{spair("/Photos/canon.dng", "nextcloud/canon.dng", "D1")},
			want:  nil,
		},
		{
			name: "a sidecar the index marked orphan moves when its photo is there", settings: upOnly,
			local: []domain.LibraryFile{lfile("IMG_7.JPG", "J7"), withProblem(lfile("IMG_7.xmp", "X7"), domain.ProblemOrphan)},
			want:  []string{"upload IMG_7.JPG -> /Photos/IMG_7.JPG", "upload IMG_7.xmp -> /Photos/IMG_7.xmp"},
		},
		{
			name: "library files with a problem do not move, nor anchor their sidecars", settings: upOnly,
			local: []domain.LibraryFile{
				withProblem(lfile("broken.jpg", "B"), domain.ProblemCorrupt), lfile("broken.xmp", "BX"),
				withProblem(lfile("empty.jpg", ""), domain.ProblemEmpty), lfile("ok.jpg", "OK"),
			},
			want: []string{"upload ok.jpg -> /Photos/ok.jpg"},
		},
	})
}

func withProblem(f domain.LibraryFile, problem string) domain.LibraryFile {
	f.Problem = problem
	return f
}
