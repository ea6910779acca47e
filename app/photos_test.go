package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// ixThumbs makes a fake JPEG of a file's path and size, or EINVALID for
// files whose path says "broken".
type ixThumbs struct{}

func (ixThumbs) Thumbnail(ctx context.Context, f domain.LibraryFile, size int) ([]byte, error) {
	if f.Kind != domain.KindImage || f.Path == "broken.heic" {
		return nil, domain.Errorf(domain.EINVALID, "cannot decode %s", f.Path)
	}
	return []byte(f.Path + "@" + time.Duration(size).String()), nil
}

func newPhotosWorld(t *testing.T) (*indexWorld, *memory.UploadStore) {
	t.Helper()
	w := newIndexWorld(t)
	w.sample()
	w.lib.put("broken.heic", "heic", ixModTime)
	w.index(t)
	return w, memory.NewUploadStore()
}

func TestPhotosListAndUploads(t *testing.T) {
	ctx := context.Background()
	w, uploads := newPhotosWorld(t)
	photos := app.NewPhotos(w.store, ixThumbs{}, uploads)

	list, total, err := photos.List(ctx, domain.PhotoQuery{Text: "  canon ", Kind: domain.KindRaw})
	if err != nil || total != 1 || len(list) != 1 || len(list[0].Files) != 2 {
		t.Fatalf("List canon raw: %d photos, total %d, %v", len(list), total, err)
	}
	raw := list[0].Files[0]
	rec := domain.UploadRecord{FileID: raw.ID, AccountID: 7, RemotePath: "/Photos/canon_eos_6d.dng", Size: raw.Size,
		SHA1: raw.SHA1, SourceSHA1: raw.SHA1, UploadSize: domain.SizeOriginal, UploadedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := uploads.RecordUpload(ctx, rec); err != nil {
		t.Fatal(err)
	}
	p, err := photos.Photo(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ups := p.Uploads[raw.ID]; len(ups) != 1 || ups[0].RemotePath != rec.RemotePath || len(p.Uploads) != 1 {
		t.Errorf("Photo uploads: %+v", p.Uploads)
	}
	list, _, _ = photos.List(ctx, domain.PhotoQuery{})
	if len(list) != 6 {
		t.Errorf("List: %d photos, want 6", len(list))
	}
	for _, ph := range list {
		if (ph.ID == p.ID) != (len(ph.Uploads) == 1) {
			t.Errorf("photo %s: uploads %+v", ph.Name, ph.Uploads)
		}
	}

	// Without an upload store there is no upload state, and no error.
	bare := app.NewPhotos(w.store, nil, nil)
	if p, err := bare.Photo(ctx, p.ID); err != nil || p.Uploads != nil {
		t.Errorf("Photo without uploads: %+v, %v", p.Uploads, err)
	}
}

func TestPhotosListRefusesBadQueries(t *testing.T) {
	w, uploads := newPhotosWorld(t)
	photos := app.NewPhotos(w.store, ixThumbs{}, uploads)
	for _, q := range []domain.PhotoQuery{
		{Offset: -1}, {Count: -1}, {Count: domain.MaxPhotoPage + 1}, {Kind: "document"},
	} {
		if _, _, err := photos.List(context.Background(), q); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("List(%+v): %v, want EINVALID", q, err)
		}
	}
	list, total, err := photos.List(context.Background(), domain.PhotoQuery{Count: 2, Offset: 1})
	if err != nil || len(list) != 2 || total != 6 {
		t.Errorf("List page: %d photos, total %d, %v", len(list), total, err)
	}
}

func TestPhotosThumbnail(t *testing.T) {
	ctx := context.Background()
	w, _ := newPhotosWorld(t)
	photos := app.NewPhotos(w.store, ixThumbs{}, nil)
	ids := map[string]int64{}
	list, _, _ := photos.List(ctx, domain.PhotoQuery{})
	for _, p := range list {
		ids[p.Name] = p.ID
	}

	data, f, err := photos.Thumbnail(ctx, ids["IMG_4120"], 224)
	if err != nil || string(data) != "IMG_4120.JPG@224ns" || f.Path != "IMG_4120.JPG" {
		t.Errorf("Thumbnail(IMG_4120): %q, %s, %v", data, f.Path, err)
	}
	_, f, err = photos.Thumbnail(ctx, ids["christmas"], 224)
	if domain.ErrorCode(err) != domain.EINVALID || f.Kind != domain.KindVideo {
		t.Errorf("Thumbnail of a video: %v, file %+v; want EINVALID with the file", err, f)
	}
	_, f, err = photos.Thumbnail(ctx, ids["broken"], 224)
	if domain.ErrorCode(err) != domain.EINVALID || f.Path != "broken.heic" {
		t.Errorf("Thumbnail of an undecodable image: %v, file %+v", err, f)
	}
	if _, _, err := photos.Thumbnail(ctx, 9999, 224); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Thumbnail of no photo: %v, want ENOTFOUND", err)
	}
	for _, size := range []int{0, -1, app.MaxThumbnailSize + 1} {
		if _, _, err := photos.Thumbnail(ctx, ids["IMG_4120"], size); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Thumbnail size %d: %v, want EINVALID", size, err)
		}
	}
	if _, f, err := app.NewPhotos(w.store, nil, nil).Thumbnail(ctx, ids["IMG_4120"], 224); domain.ErrorCode(err) != domain.EINVALID || f.ID == 0 {
		t.Errorf("Thumbnail without a thumbnailer: %v, %+v", err, f)
	}

	// A photo whose files are all gone has no thumbnail.
	w.lib.remove("christmas.mp4")
	w.index(t)
	if _, _, err := photos.Thumbnail(ctx, ids["christmas"], 224); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Thumbnail of a photo whose files are gone: %v, want ENOTFOUND", err)
	}
}
