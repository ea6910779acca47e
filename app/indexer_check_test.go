package app_test

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// realIndexer indexes a library folder with the real inspector.
func realIndexer(t *testing.T, dir string) (*app.Indexer, *memory.LibraryStore) {
	t.Helper()
	store := memory.NewLibraryStore()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	return app.NewIndexer(localfs.NewLibrary(dir), store, media.NewInspector(), clock, slog.New(slog.DiscardHandler)), store
}

// problemsOf maps the paths of an index's problem files to their problems.
func problemsOf(res domain.IndexResult) map[string]string {
	out := map[string]string{}
	for _, f := range res.Problems {
		out[f.Path] = f.Problem
	}
	return out
}

// TestIndexFindsTruncatedVideosAndRAW proves the bug of issue 16 point 3
// gone: a video or RAW file cut short was indexed as sound (only images
// were checked, by decoding them) and could be uploaded over the server's
// good copy.
func TestIndexFindsTruncatedVideosAndRAW(t *testing.T) {
	dir := t.TempDir()
	mp4 := mediatest.StandInMP4(1, 200<<10)
	dng := mediatest.StandInDNG(2, 4, 64<<10)
	mediatest.WriteFile(t, dir, "2024/clip.mp4", mp4)
	mediatest.WriteFile(t, dir, "2024/cut.mp4", mp4[:20000])
	mediatest.WriteFile(t, dir, "2024/raw.dng", dng)
	mediatest.WriteFile(t, dir, "2024/cut.dng", dng[:len(dng)-64<<10])
	ix, _ := realIndexer(t, dir)
	res, err := ix.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := problemsOf(res)
	want := map[string]string{
		"2024/cut.mp4": domain.ProblemCorrupt + ": the MP4 box 'mdat' runs 185.0 kB past the end of the file",
		"2024/cut.dng": domain.ProblemCorrupt + ": the DNG's image data (strip 4 of the directory at offset 216) runs 65.5 kB past the end of the file",
	}
	for path, p := range want {
		if got[path] != p {
			t.Errorf("%s: problem %q, want %q", path, got[path], p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %q, want only %q", got, want)
	}
	for _, f := range res.Problems {
		if p := domain.UploadProblem(f); p == "" {
			t.Errorf("%s may be uploaded", f.Path)
		}
	}
}

// emptyPixelsPNG is a PNG whose chunks are whole and whose CRCs match but
// whose compressed pixels are missing: sound by structure, broken when
// decoded.
func emptyPixelsPNG() []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, typ...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 300), 200)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func TestIndexDeepDecodesEveryImage(t *testing.T) {
	dir := t.TempDir()
	mediatest.WriteFile(t, dir, "a.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 200, Height: 100}))
	mediatest.WriteFile(t, dir, "b.png", emptyPixelsPNG())
	ix, _ := realIndexer(t, dir)
	res, err := ix.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 || res.Read != 2 {
		t.Fatalf("index: %d read, problems %q; want 2 read, none found without decoding", res.Read, problemsOf(res))
	}
	res, err = ix.IndexWith(context.Background(), nil, app.IndexOptions{Deep: true})
	if err != nil {
		t.Fatal(err)
	}
	got := problemsOf(res)
	if res.Read != 2 || len(got) != 1 || !strings.HasPrefix(got["b.png"], domain.ProblemCorrupt+": ") {
		t.Errorf("deep index: %d read, problems %q; want both unchanged files read again and b.png corrupt", res.Read, got)
	}
	// An ordinary index keeps what the deep one found: the file did not
	// change.
	res, err = ix.Index(context.Background(), nil)
	if err != nil || res.Read != 0 || !strings.HasPrefix(problemsOf(res)["b.png"], domain.ProblemCorrupt) {
		t.Errorf("index after the deep one: %d read, problems %q, %v; want none read and b.png still corrupt", res.Read, problemsOf(res), err)
	}
}
