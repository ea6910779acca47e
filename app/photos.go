package app

import (
	"context"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// DefaultPhotoPage is how many photos a listing answers when the query
// does not say.
const DefaultPhotoPage = 100

// maxThumbnailSize is the largest thumbnail side, in pixels, Thumbnail
// makes.
const maxThumbnailSize = 2048

// Photos answers questions about the indexed library: pages of photos
// with their files and where each file was uploaded, and thumbnails.
type Photos struct {
	store   ports.LibraryStore
	thumbs  ports.Thumbnailer
	uploads ports.UploadStore
}

// NewPhotos returns the photos use case. thumbs and uploads may be nil:
// there are then no thumbnails (every photo shows its kind icon) and no
// upload state.
func NewPhotos(store ports.LibraryStore, thumbs ports.Thumbnailer, uploads ports.UploadStore) *Photos {
	return &Photos{store: store, thumbs: thumbs, uploads: uploads}
}

// List returns a page of photos matching q, newest taken first, with the
// total that match. A Count of 0 means DefaultPhotoPage. EINVALID for a
// negative offset, a count above domain.MaxPhotoPage or an unknown kind.
func (ph *Photos) List(ctx context.Context, q domain.PhotoQuery) ([]domain.Photo, int, error) {
	q.Text = strings.TrimSpace(q.Text)
	switch {
	case q.Offset < 0:
		return nil, 0, domain.Errorf(domain.EINVALID, "offset: must be 0 or more")
	case q.Count < 0 || q.Count > domain.MaxPhotoPage:
		return nil, 0, domain.Errorf(domain.EINVALID, "count: must be from 1 to %d", domain.MaxPhotoPage)
	}
	switch q.Kind {
	case domain.KindNone, domain.KindImage, domain.KindRaw, domain.KindVideo, domain.KindSidecar:
	default:
		return nil, 0, domain.Errorf(domain.EINVALID, "kind: %q is not image, raw, video or sidecar", q.Kind)
	}
	if q.Count == 0 {
		q.Count = DefaultPhotoPage
	}
	photos, total, err := ph.store.Photos(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	if err := ph.attachUploads(ctx, photos); err != nil {
		return nil, 0, err
	}
	return photos, total, nil
}

// Photo returns one photo with its present files and their uploads.
// ENOTFOUND.
func (ph *Photos) Photo(ctx context.Context, id int64) (domain.Photo, error) {
	p, err := ph.store.Photo(ctx, id)
	if err != nil {
		return domain.Photo{}, err
	}
	list := []domain.Photo{p}
	if err := ph.attachUploads(ctx, list); err != nil {
		return domain.Photo{}, err
	}
	return list[0], nil
}

// PrimaryFile returns the file a photo's thumbnail is made of: its
// primary. ENOTFOUND when the photo does not exist or has no file left.
func (ph *Photos) PrimaryFile(ctx context.Context, photoID int64) (domain.LibraryFile, error) {
	p, err := ph.store.Photo(ctx, photoID)
	if err != nil {
		return domain.LibraryFile{}, err
	}
	f, ok := p.Primary()
	if !ok {
		return domain.LibraryFile{}, domain.Errorf(domain.ENOTFOUND, "photo %d has no file left in the library", photoID)
	}
	return f, nil
}

// Thumbnail returns a JPEG of the photo's primary file, no larger than
// size pixels on its longer side, with that file. EINVALID for a size out
// of 1..maxThumbnailSize, and when the file cannot be decoded (the caller
// shows the file's kind instead: the file is returned with the error);
// ENOTFOUND as PrimaryFile.
func (ph *Photos) Thumbnail(ctx context.Context, photoID int64, size int) ([]byte, domain.LibraryFile, error) {
	if size < 1 || size > maxThumbnailSize {
		return nil, domain.LibraryFile{}, domain.Errorf(domain.EINVALID, "size: must be from 1 to %d pixels", maxThumbnailSize)
	}
	f, err := ph.PrimaryFile(ctx, photoID)
	if err != nil {
		return nil, domain.LibraryFile{}, err
	}
	if ph.thumbs == nil {
		return nil, f, domain.Errorf(domain.EINVALID, "no thumbnails are made here")
	}
	data, err := ph.thumbs.Thumbnail(ctx, f, size)
	if err != nil {
		return nil, f, err
	}
	return data, f, nil
}

// Details returns a photo with what each of its files (sidecars aside)
// says about itself, read from the file now, by file ID: camera, lens,
// date taken and where it came from, size, duration. A file that cannot
// be read (gone since it was indexed) has no entry. Without a reader of
// details (the Thumbnailer is not a ports.MediaDetailer) the map is empty.
// ENOTFOUND as Photo.
func (ph *Photos) Details(ctx context.Context, photoID int64) (domain.Photo, map[int64]domain.MediaDetails, error) {
	p, err := ph.Photo(ctx, photoID)
	if err != nil {
		return domain.Photo{}, nil, err
	}
	out := map[int64]domain.MediaDetails{}
	detailer, ok := ph.thumbs.(ports.MediaDetailer)
	if !ok {
		return p, out, nil
	}
	for _, f := range p.Files {
		if f.Missing || f.Kind == domain.KindSidecar {
			continue
		}
		d, err := detailer.Details(ctx, f)
		if ctx.Err() != nil {
			return domain.Photo{}, nil, ctx.Err()
		}
		if err == nil {
			out[f.ID] = d
		}
	}
	return p, out, nil
}

// attachUploads sets the Uploads of each photo from the upload store.
func (ph *Photos) attachUploads(ctx context.Context, photos []domain.Photo) error {
	if ph.uploads == nil || len(photos) == 0 {
		return nil
	}
	var ids []int64
	for _, p := range photos {
		for _, f := range p.Files {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	byFile, err := ph.uploads.UploadsOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range photos {
		for _, f := range photos[i].Files {
			if ups := byFile[f.ID]; len(ups) > 0 {
				if photos[i].Uploads == nil {
					photos[i].Uploads = map[int64][]domain.UploadRecord{}
				}
				photos[i].Uploads[f.ID] = ups
			}
		}
	}
	return nil
}
