package load

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// writeLibrary fills dir with n distinct 8×8 JPEGs with EXIF dates, 1,000
// to a folder (as a camera's folders look), named IMG_NNNNNN.jpg. The
// photos are real files indexed by photosync's own indexer at start: the
// rows in the database are the ones a user's library produces, at the
// cost of generating and indexing the files (reported). One JPEG is
// encoded per hundred files, each copy made distinct by bytes after its
// end marker (which decoders ignore), so generating stays fast under the
// race detector.
func writeLibrary(t *testing.T, dir string, n int) {
	t.Helper()
	base := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	var jpg []byte
	for i := range n {
		folder := filepath.Join(dir, fmt.Sprintf("%d", 2020+i/40_000), fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(folder, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if i%100 == 0 {
			jpg = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 8, Height: 8, Seed: int64(i), TakenAt: base.Add(time.Duration(i) * 17 * time.Minute)})
		}
		data := fmt.Appendf(jpg[:len(jpg):len(jpg)], "%08d", i)
		if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("IMG_%06d.jpg", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
