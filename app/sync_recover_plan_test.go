package app_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// TestSyncDryRunShowsTheRecoveryPlan: recovery gathers its evidence on a
// dry run as on a run, and what a run removes from the server (the
// truncated copy an interrupted upload left) is part of the plan: the dry
// run removes nothing and shows the very plan the following run carries
// out.
func TestSyncDryRunShowsTheRecoveryPlan(t *testing.T) {
	ctx := context.Background()
	w := newSyncWorld(t)
	sent := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: syncTime, Seed: 41})
	cut := mediatest.RAW(t, 42, 9000)
	other := mediatest.RAW(t, 43, 9000)
	w.write(t, "trip/IMG_1.jpg", sent, syncTime)
	w.write(t, "trip/IMG_2.dng", cut, syncTime)
	w.write(t, "trip/IMG_3.dng", other, syncTime)
	later := syncTime.Add(3 * time.Hour)
	w.put(t, "/Photos/trip/IMG_1.jpg", sent, later)       // sent, its pair lost
	w.put(t, "/Photos/trip/IMG_2.dng", cut[:4000], later) // cut short
	notPrefix := append([]byte{}, other[:4000]...)
	notPrefix[100] ^= 0xff
	w.put(t, "/Photos/trip/IMG_3.dng", notPrefix, later) // another file
	remoteBefore, libBefore := w.files(t, "/Photos"), w.library(t)

	plan, err := w.syncer.Plan(ctx, w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.files(t, "/Photos"), remoteBefore) {
		t.Fatal("the dry run changed the server")
	}
	again, err := w.syncer.Plan(ctx, w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(planned(plan), planned(again)) {
		t.Fatalf("two dry runs planned differently:\n%v\n%v", planned(plan), planned(again))
	}

	if !slices.ContainsFunc(plan.Actions, func(a domain.SyncAction) bool {
		return a.Op == domain.OpUpload && a.RemotePath == "/Photos/trip/IMG_2.dng" && a.Truncated
	}) {
		t.Errorf("the dry run does not plan to send IMG_2.dng over its truncated copy: %v", planned(plan))
	}

	run := w.sync(t)
	// The run carried out the dry run's plan: each action counted as the
	// plan said, each with its effect.
	var down, up, skipped int
	for _, act := range plan.Actions {
		switch act.Op {
		case domain.OpDownload, domain.OpUpdateLocal:
			down++
		case domain.OpUpload, domain.OpUploadAgain:
			up++
		case domain.OpKeepBoth:
			down, up = down+1, up+1
		default:
			skipped++
		}
	}
	if run.Downloaded != down || run.Uploaded != up || run.Skipped != skipped || run.Failed != 0 {
		t.Errorf("run %+v; the dry run planned %d down, %d up, %d skipped: %+v", run, down, up, skipped, planned(plan))
	}
	remote, lib := w.files(t, "/Photos"), w.library(t)
	for _, act := range plan.Actions {
		switch act.Op {
		case domain.OpUpload, domain.OpLink:
			if !bytes.Equal(remote[act.RemotePath], libBefore[act.LocalPath]) {
				t.Errorf("%s %s: the server's %s holds %d bytes, the library's %d", act.Op, act.LocalPath, act.RemotePath,
					len(remote[act.RemotePath]), len(libBefore[act.LocalPath]))
			}
		case domain.OpDownload:
			if !bytes.Equal(lib[act.LocalPath], remoteBefore[act.RemotePath]) {
				t.Errorf("download %s: the library's %s holds %d bytes, the server's had %d", act.RemotePath, act.LocalPath,
					len(lib[act.LocalPath]), len(remoteBefore[act.RemotePath]))
			}
		}
	}
	if !bytes.Equal(remote["/Photos/trip/IMG_2.dng"], cut) || !bytes.Equal(remote["/Photos/trip/IMG_3.dng"], notPrefix) {
		t.Error("the server's IMG_2.dng is not the whole file, or its IMG_3.dng was changed")
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}

// planned is what a plan does, action by action, without the library's
// index times (which the index of every run sets anew).
func planned(plan domain.SyncPlan) []string {
	var out []string
	for _, a := range plan.Actions {
		out = append(out, fmt.Sprintf("%s %s %q -> %q (%d bytes, beside %q)", a.Op, a.Direction, a.LocalPath, a.RemotePath, a.Size, a.ConflictPath))
	}
	return out
}
