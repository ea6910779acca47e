package domain_test

import (
	"strings"
	"testing"

	"github.com/photosync/photosync/domain"
)

// TestPlanSyncUndecidedNameStaysTaken: a remote file the run could not
// read is left out of the plan, but its name stays taken: another library
// file is never sent over it (found in review).
func TestPlanSyncUndecidedNameStaysTaken(t *testing.T) {
	r := rfile("/Photos/x.jpg", strings.Repeat("r", 100))
	got := domain.PlanSync(domain.SyncInput{Settings: syncSettings(), Remote: []domain.RemoteFile{r},
		Local:     []domain.LibraryFile{lfile("old/x.jpg", strings.Repeat("r", 100)), lfile("x.jpg", strings.Repeat("z", 60))},
		Undecided: map[string]string{r.Path: "old/x.jpg"}, Now: syncNow})
	for _, a := range got.Actions {
		if a.Op == domain.OpUpload && a.RemotePath == r.Path {
			t.Errorf("x.jpg is sent over the undecided remote file %s (a fresh PUT over it)", r.Path)
		}
	}
}
