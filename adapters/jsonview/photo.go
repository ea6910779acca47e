package jsonview

import (
	"path"
	"time"

	"github.com/photosync/photosync/domain"
)

// Photo is a photo of the library with its files and where each was
// uploaded. TakenAt is null when no date is known.
type Photo struct {
	ID      int64       `json:"id"`
	Name    string      `json:"name"`
	Folder  string      `json:"folder"`
	TakenAt *time.Time  `json:"taken_at"`
	Files   []PhotoFile `json:"files"`
}

// PhotoFile is one file of the library. Role is "" and Problem says why
// for a file in no photo.
type PhotoFile struct {
	ID          int64         `json:"id"`
	Path        string        `json:"path"`
	Name        string        `json:"name"`
	Kind        string        `json:"kind"`
	Role        string        `json:"role"`
	Size        int64         `json:"size"`
	ModTime     *time.Time    `json:"mod_time"`
	SHA1        string        `json:"sha1"`
	TakenAt     *time.Time    `json:"taken_at"`
	TakenSource string        `json:"taken_source"`
	Width       int           `json:"width"`
	Height      int           `json:"height"`
	Problem     string        `json:"problem"`
	Uploads     []PhotoUpload `json:"uploads"`
}

// PhotoUpload is one upload of a file to an account.
type PhotoUpload struct {
	AccountID  int64     `json:"account_id"`
	RemotePath string    `json:"remote_path"`
	Size       int64     `json:"size"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// PhotoPage is one page of a photo listing.
type PhotoPage struct {
	Photos []Photo `json:"photos"`
	Total  int     `json:"total"`
	Offset int     `json:"offset"`
	Count  int     `json:"count"`
}

// IndexResult is what an index run found.
type IndexResult struct {
	Files    int         `json:"files"`
	Read     int         `json:"read"`
	Photos   int         `json:"photos"`
	Missing  int         `json:"missing"`
	Problems []PhotoFile `json:"problems"`
}

// FromPhoto returns the JSON view of a photo.
func FromPhoto(p domain.Photo) Photo {
	v := Photo{ID: p.ID, Name: p.Name, Folder: p.Folder, TakenAt: photoTime(p.TakenAt), Files: make([]PhotoFile, 0, len(p.Files))}
	for _, f := range p.Files {
		v.Files = append(v.Files, FromLibraryFile(f, p.Uploads[f.ID]))
	}
	return v
}

// FromPhotos returns the JSON views of photos, an empty list for none.
func FromPhotos(photos []domain.Photo) []Photo {
	out := make([]Photo, 0, len(photos))
	for _, p := range photos {
		out = append(out, FromPhoto(p))
	}
	return out
}

// FromLibraryFile returns the JSON view of a file with its uploads.
func FromLibraryFile(f domain.LibraryFile, uploads []domain.UploadRecord) PhotoFile {
	v := PhotoFile{
		ID: f.ID, Path: f.Path, Name: path.Base(f.Path), Kind: string(f.Kind), Role: string(f.Role), Size: f.Size,
		ModTime: photoTime(f.ModTime), SHA1: f.SHA1, TakenAt: photoTime(f.TakenAt), TakenSource: string(f.TakenSource),
		Width: f.Width, Height: f.Height, Problem: f.Problem, Uploads: make([]PhotoUpload, 0, len(uploads)),
	}
	for _, u := range uploads {
		v.Uploads = append(v.Uploads, PhotoUpload{AccountID: u.AccountID, RemotePath: u.RemotePath, Size: u.Size, UploadedAt: u.UploadedAt.UTC()})
	}
	return v
}

// FromIndexResult returns the JSON view of an index run.
func FromIndexResult(r domain.IndexResult) IndexResult {
	v := IndexResult{Files: r.Files, Read: r.Read, Photos: r.Photos, Missing: r.Missing, Problems: make([]PhotoFile, 0, len(r.Problems))}
	for _, f := range r.Problems {
		v.Problems = append(v.Problems, FromLibraryFile(f, nil))
	}
	return v
}

func photoTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// PhotoDetails is a photo with what each of its files says about itself,
// read from the file when asked.
type PhotoDetails struct {
	Photo Photo         `json:"photo"`
	Files []FileDetails `json:"files"`
}

// FileDetails is what one file says about itself. TakenSource is "exif",
// "container" (a video's own date), "name" or "mtime"; DateField names the
// field the date came from. DurationSeconds is 0 for a still.
type FileDetails struct {
	FileID          int64      `json:"file_id"`
	Name            string     `json:"name"`
	Format          string     `json:"format"`
	Camera          string     `json:"camera"`
	Lens            string     `json:"lens"`
	TakenAt         *time.Time `json:"taken_at"`
	TakenSource     string     `json:"taken_source"`
	DateField       string     `json:"date_field"`
	Width           int        `json:"width"`
	Height          int        `json:"height"`
	DurationSeconds float64    `json:"duration_seconds"`
	Preview         string     `json:"preview"`
}

// FromPhotoDetails returns the JSON view of a photo's details, its files
// in the photo's order.
func FromPhotoDetails(p domain.Photo, details map[int64]domain.MediaDetails) PhotoDetails {
	v := PhotoDetails{Photo: FromPhoto(p), Files: make([]FileDetails, 0, len(details))}
	for _, f := range p.Files {
		d, ok := details[f.ID]
		if !ok {
			continue
		}
		v.Files = append(v.Files, FileDetails{
			FileID: f.ID, Name: path.Base(f.Path), Format: d.Format, Camera: d.Camera, Lens: d.Lens,
			TakenAt: photoTime(d.TakenAt), TakenSource: string(d.TakenSource), DateField: d.DateField,
			Width: d.Width, Height: d.Height, DurationSeconds: d.Duration.Seconds(), Preview: d.Preview,
		})
	}
	return v
}
