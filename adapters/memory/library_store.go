package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// LibraryStore keeps the library index in maps.
type LibraryStore struct {
	mu         sync.Mutex
	nextPhoto  int64
	nextFile   int64
	photos     map[int64]domain.Photo // without Files
	photoByKey map[string]int64
	files      map[int64]domain.LibraryFile
	fileByPath map[string]int64
}

var _ ports.LibraryStore = (*LibraryStore)(nil)

// NewLibraryStore returns an empty store.
func NewLibraryStore() *LibraryStore {
	return &LibraryStore{
		photos: map[int64]domain.Photo{}, photoByKey: map[string]int64{},
		files: map[int64]domain.LibraryFile{}, fileByPath: map[string]int64{},
	}
}

// LibraryFiles returns every file, missing ones included, by path.
func (s *LibraryStore) LibraryFiles(ctx context.Context) ([]domain.LibraryFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedFiles(func(domain.LibraryFile) bool { return true }), nil
}

// SaveIndex upserts photos by Key and files by path, and marks the missing
// paths, all under the store's lock.
func (s *LibraryStore) SaveIndex(ctx context.Context, photos []domain.Photo, loose []domain.LibraryFile, missing []string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	at = at.UTC()
	for i := range photos {
		p := &photos[i]
		id, ok := s.photoByKey[p.Key]
		if !ok {
			s.nextPhoto++
			id = s.nextPhoto
			s.photoByKey[p.Key] = id
		}
		p.ID = id
		s.photos[id] = domain.Photo{ID: id, Key: p.Key, Folder: p.Folder, Name: p.Name, TakenAt: p.TakenAt.UTC()}
		for j := range p.Files {
			p.Files[j].PhotoID = id
			s.saveFile(&p.Files[j], at)
		}
	}
	for i := range loose {
		loose[i].PhotoID = 0
		s.saveFile(&loose[i], at)
	}
	for _, path := range missing {
		if id, ok := s.fileByPath[path]; ok {
			f := s.files[id]
			f.Missing = true
			s.files[id] = f
		}
	}
	return nil
}

func (s *LibraryStore) saveFile(f *domain.LibraryFile, at time.Time) {
	id, ok := s.fileByPath[f.Path]
	if !ok {
		s.nextFile++
		id = s.nextFile
		s.fileByPath[f.Path] = id
	}
	f.ID = id
	stored := *f
	stored.Missing, stored.IndexedAt = false, at
	stored.ModTime, stored.TakenAt = stored.ModTime.UTC(), stored.TakenAt.UTC()
	s.files[id] = stored
}

// Photos returns a page of the photos with a present file that match q.
func (s *LibraryStore) Photos(ctx context.Context, q domain.PhotoQuery) ([]domain.Photo, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := domain.FoldName(q.Text)
	var match []domain.Photo
	for _, p := range s.photos {
		files := s.presentFiles(p.ID)
		if len(files) == 0 {
			continue
		}
		if text != "" && !strings.Contains(domain.FoldName(p.Folder), text) && !strings.Contains(domain.FoldName(p.Name), text) {
			continue
		}
		if q.Kind != domain.KindNone && !slices.ContainsFunc(files, func(f domain.LibraryFile) bool { return f.Kind == q.Kind }) {
			continue
		}
		p.Files = files
		match = append(match, p)
	}
	slices.SortFunc(match, func(a, b domain.Photo) int {
		if a.TakenAt.IsZero() != b.TakenAt.IsZero() {
			if a.TakenAt.IsZero() {
				return 1
			}
			return -1
		}
		if c := b.TakenAt.Compare(a.TakenAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	count := q.Count
	if count < 1 || count > domain.MaxPhotoPage {
		count = domain.MaxPhotoPage
	}
	lo := min(max(q.Offset, 0), len(match))
	hi := min(lo+count, len(match))
	return slices.Clone(match[lo:hi]), len(match), nil
}

// Photo returns one photo with its present files.
func (s *LibraryStore) Photo(ctx context.Context, id int64) (domain.Photo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.photos[id]
	if !ok {
		return domain.Photo{}, domain.Errorf(domain.ENOTFOUND, "photo %d not found", id)
	}
	p.Files = s.presentFiles(id)
	return p, nil
}

// LibraryFile returns one file.
func (s *LibraryStore) LibraryFile(ctx context.Context, id int64) (domain.LibraryFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return domain.LibraryFile{}, domain.Errorf(domain.ENOTFOUND, "file %d not found", id)
	}
	return f, nil
}

// Problems returns the present files with a problem, by path.
func (s *LibraryStore) Problems(ctx context.Context) ([]domain.LibraryFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedFiles(func(f domain.LibraryFile) bool { return !f.Missing && f.Problem != "" }), nil
}

// presentFiles returns the files of a photo that are not missing, in
// display order.
func (s *LibraryStore) presentFiles(photoID int64) []domain.LibraryFile {
	var out []domain.LibraryFile
	for _, f := range s.files {
		if f.PhotoID == photoID && !f.Missing {
			out = append(out, f)
		}
	}
	domain.SortFiles(out)
	return out
}

func (s *LibraryStore) sortedFiles(keep func(domain.LibraryFile) bool) []domain.LibraryFile {
	out := []domain.LibraryFile{}
	for _, f := range s.files {
		if keep(f) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b domain.LibraryFile) int { return strings.Compare(a.Path, b.Path) })
	return out
}
