package domain

import "time"

// Role is a file's part in its photo.
type Role string

// Roles of the files of a photo.
const (
	RolePrimary Role = "primary" // the main image (or, without one, the RAW or the video)
	RoleEdited  Role = "edited"  // an edited copy, e.g. Apple's IMG_E1234.JPG
	RoleImage   Role = "image"   // another image of the same shot, e.g. the HEIC beside a JPEG
	RoleRaw     Role = "raw"
	RoleVideo   Role = "video" // a video beside an image, e.g. a live photo
	RoleSidecar Role = "sidecar"
)

// TakenSource says where a file's date taken came from.
type TakenSource string

// Sources of the date taken, most trusted first.
const (
	TakenFromEXIF  TakenSource = "exif"
	TakenFromName  TakenSource = "name"
	TakenFromMTime TakenSource = "mtime"
	// TakenFromContainer is a video's date from its container (QuickTime
	// creation date, ©day or mvhd). The index stores it as TakenFromEXIF
	// (a date from the file's metadata); MediaDetails tells them apart.
	TakenFromContainer TakenSource = "container"
)

// Problems that keep a file from being indexed as (part of) a photo.
const (
	ProblemEmpty      = "empty file (0 bytes)"
	ProblemUnreadable = "cannot be read"
	ProblemCorrupt    = "corrupt or truncated"
	ProblemOrphan     = "sidecar without a photo"
)

// FileInfo is what a walk of the library sees of a file, before reading it.
type FileInfo struct {
	Path    string // slash-separated, relative to the library root, clean
	Size    int64
	ModTime time.Time
	// Changed is the file's status change time (ctime): every write and
	// every change of its times sets it, and nobody can set it back, so a
	// change that keeps size and modification time still shows. Zero when
	// the system does not say.
	Changed time.Time
	// Inode tells the file apart from another put at its path (a rename
	// over it); 0 when the system does not say.
	Inode uint64
}

// MediaInfo is what reading a file once tells: its checksum, its date taken
// from its metadata and whether its content is sound.
type MediaInfo struct {
	SHA1        string    // lower-case hex
	TakenAt     time.Time // zero when the file has no date in its metadata
	Orientation int       // EXIF orientation 1-8; 0 when unknown
	Width       int
	Height      int
	Problem     string        // "" or one of the Problem constants, with detail
	Duration    time.Duration // of a video; 0 for stills or when unknown
}

// MediaDetails is what a file says about itself, read from it on demand
// for the photo details: its format, camera and lens, its date taken and
// where that came from, its size as displayed and a video's duration.
// Empty strings and zeros are what the file does not say.
type MediaDetails struct {
	Format      string // "JPEG", "HEIF", "AVIF", "RAW (DNG)", "MP4 video", ...
	Camera      string // make and model, e.g. "Apple iPhone 7"
	Lens        string
	TakenAt     time.Time
	TakenSource TakenSource
	// DateField names the field the date was read from, e.g.
	// "DateTimeOriginal", "com.apple.quicktime.creationdate", "mvhd".
	DateField string
	Width     int // as displayed (orientation applied)
	Height    int
	Duration  time.Duration
	// Preview says what a thumbnail is made of when it is not the file's
	// own pixels: "embedded JPEG 1024×683" for a RAW file, "ffmpeg frame"
	// or "drawn poster" for a video.
	Preview string
}

// LibraryFile is one file of the library as indexed.
type LibraryFile struct {
	ID          int64
	PhotoID     int64 // 0 for a file with a problem or not (yet) in a photo
	Path        string
	Kind        Kind
	Role        Role
	Size        int64
	ModTime     time.Time
	SHA1        string
	TakenAt     time.Time
	TakenSource TakenSource
	Orientation int
	Width       int
	Height      int
	Problem     string
	Missing     bool // gone from disk; kept for the history of uploads
	IndexedAt   time.Time
	Changed     time.Time // status change time when indexed (see FileInfo.Changed)
	Inode       uint64
}

// Unchanged reports whether the file on disk is still the one indexed:
// same size, modification time, status change time and inode (the last
// two where both sides know them). Its content is then not read again.
// The status change time catches what size and time alone miss: an edit
// whose tool put the modification time back (utime), or a file of the
// same size and time renamed over the old one.
func (f LibraryFile) Unchanged(fi FileInfo) bool {
	return !f.Missing && f.Size == fi.Size && f.ModTime.Equal(fi.ModTime) &&
		(f.Changed.IsZero() || fi.Changed.IsZero() || f.Changed.Equal(fi.Changed)) &&
		(f.Inode == 0 || fi.Inode == 0 || f.Inode == fi.Inode)
}

// Photo is a stack of related files in one folder: a primary image with its
// edited copy, RAW files, a video and sidecars.
type Photo struct {
	ID      int64
	Key     string // folder + "/" + case-folded stem: what stacks files together
	Folder  string // slash-separated, relative to the library; "" for the root
	Name    string // the primary file's base name without extension
	TakenAt time.Time
	Files   []LibraryFile
	// Uploads says, per file ID, where it was uploaded.
	Uploads map[int64][]UploadRecord
}

// Primary returns the photo's primary file.
func (p Photo) Primary() (LibraryFile, bool) {
	for _, f := range p.Files {
		if f.Role == RolePrimary {
			return f, true
		}
	}
	return LibraryFile{}, false
}

// PhotoQuery selects photos: a text filter on name and folder, a kind the
// photo must have a file of, and a page.
type PhotoQuery struct {
	Text   string
	Kind   Kind
	Offset int
	Count  int
}

// MaxPhotoPage is the largest page of photos one query returns.
const MaxPhotoPage = 1000

// IndexResult counts what an index run found.
type IndexResult struct {
	Files    int // files of a known kind seen on disk
	Read     int // files whose content was read (new or changed)
	Photos   int
	Missing  int // files indexed before and gone now
	Problems []LibraryFile
}
