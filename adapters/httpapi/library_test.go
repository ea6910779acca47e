package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
)

// TestLibraryProblemsAfterARescan: the problem files stay listed after a
// second index, which reads no unchanged file and so finds no problem of
// its own.
func TestLibraryProblemsAfterARescan(t *testing.T) {
	dir := t.TempDir()
	mediatest.WriteFile(t, dir, "good.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48}))
	mediatest.WriteFile(t, dir, "empty.jpg", nil)
	mediatest.WriteFile(t, dir, "bad.jpg", mediatest.Corrupt(t))
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	indexer := app.NewIndexer(localfs.NewLibrary(dir), memory.NewLibraryStore(), media.NewInspector(), clock, log)
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.GET("/api/v1/library/problems", handleLibraryProblems(indexer))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	for run := 1; run <= 2; run++ {
		if _, err := indexer.Index(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		res, err := http.Get(srv.URL + "/api/v1/library/problems")
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Files []struct{ Path, Problem string }
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		got := map[string]string{}
		for _, f := range out.Files {
			got[f.Path] = f.Problem
		}
		if err != nil || res.StatusCode != 200 || len(got) != 2 || got["empty.jpg"] == "" || got["bad.jpg"] == "" {
			t.Fatalf("index %d: %d %v %+v; want empty.jpg and bad.jpg with their causes", run, res.StatusCode, err, out.Files)
		}
	}
}
