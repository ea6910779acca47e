package domain

import (
	"fmt"
	"testing"
	"time"
)

// noChangeInput is an upload-only account of n photos, 20 per folder,
// every one already paired with its copy on the server: what a no-change
// run plans.
func noChangeInput(n int) SyncInput {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	in := SyncInput{Settings: SyncSettings{AccountID: 1, Folder: "/Backup", Upload: true, PreserveNames: true,
		RetryLimit: 5, DownloadFolder: "nextcloud"}, Now: at.Add(time.Hour)}
	for i := range n {
		lp := fmt.Sprintf("%04d/IMG_%06d.JPG", i/20, i)
		rp := "/Backup/" + lp
		sum := fmt.Sprintf("%040x", i)
		in.Local = append(in.Local, LibraryFile{ID: int64(i + 1), PhotoID: int64(i + 1), Path: lp, Kind: KindImage,
			Role: RolePrimary, Size: 1000, ModTime: at, SHA1: sum, TakenAt: at, TakenSource: TakenFromEXIF})
		in.Remote = append(in.Remote, RemoteFile{Path: rp, Name: fmt.Sprintf("IMG_%06d.JPG", i), Size: 1000, ModTime: at,
			ETag: fmt.Sprintf(`"%x"`, i)})
		in.Pairs = append(in.Pairs, SyncPair{AccountID: 1, LocalPath: lp, RemotePath: rp, Size: 1000, LocalModTime: at,
			RemoteModTime: at, ETag: fmt.Sprintf(`"%x"`, i), SHA1: sum, SyncedAt: at})
	}
	for f := range n / 20 {
		in.Remote = append(in.Remote, RemoteFile{Path: fmt.Sprintf("/Backup/%04d", f), Name: fmt.Sprintf("%04d", f), IsDir: true})
	}
	return in
}

func BenchmarkPlanSyncNoChange(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		in := noChangeInput(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if plan := PlanSync(in); len(plan.Actions) != 0 {
					b.Fatalf("a no-change plan has %d actions, e.g. %+v", len(plan.Actions), plan.Actions[0])
				}
			}
		})
	}
}
