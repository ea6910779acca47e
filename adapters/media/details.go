package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.MediaDetailer = (*Thumbnails)(nil)

// Details reads what a library file says about itself: its metadata
// (EXIF for images and RAW files, the moov box for videos) and the
// headers of its image or preview, never its pixels, so it costs a few
// small reads and is not cached. ENOTFOUND when the file is gone, EINVALID
// for a path outside the library.
func (t *Thumbnails) Details(ctx context.Context, f domain.LibraryFile) (d domain.MediaDetails, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = domain.MediaDetails{}, domain.Errorf(domain.EINVALID, "the details of %s cannot be read (%v)", f.Path, p)
		}
	}()
	if err := checkRel(f.Path); err != nil {
		return d, err
	}
	if err := ctx.Err(); err != nil {
		return d, err
	}
	root, err := os.OpenRoot(t.root)
	if err != nil {
		return d, fmt.Errorf("open library: %w", err)
	}
	defer root.Close()
	file, err := root.Open(filepath.FromSlash(f.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return d, domain.Errorf(domain.ENOTFOUND, "%s is not in the library", f.Path)
	}
	if err != nil {
		return d, fmt.Errorf("details of %s: %w", f.Path, err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return d, fmt.Errorf("details of %s: %w", f.Path, err)
	}
	modTime := f.ModTime
	if modTime.IsZero() {
		modTime = st.ModTime()
	}
	size := st.Size()
	head := make([]byte, sniffLen)
	n, err := file.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return d, fmt.Errorf("details of %s: %w", f.Path, err)
	}
	head = head[:n]
	whole := io.NewSectionReader(file, 0, size)

	var taken time.Time
	orientation := 0
	k := kindOf(f.Path, head)
	switch k {
	case formatVideo:
		d.Format = strings.ToUpper(strings.TrimPrefix(path.Ext(f.Path), ".")) + " video"
		if isISOBMFF(file) {
			vm, _ := readVideoMeta(file, size)
			taken, d.DateField = vm.TakenAt, vm.DateSource
			d.Width, d.Height, d.Duration = vm.Width, vm.Height, vm.Duration
			d.Camera = camera(vm.Make, vm.Model)
		}
		d.Preview = "drawn poster"
		if t.opts.ffmpeg != "" {
			d.Preview = "ffmpeg frame"
		}
	case formatRAW:
		d.Format = "RAW (" + strings.ToUpper(strings.TrimPrefix(path.Ext(f.Path), ".")) + ")"
		m := readRAWMeta(file, size, f.Path, head)
		taken, d.DateField, orientation = m.TakenAt, m.DateTag, m.Orientation
		d.Camera, d.Lens, d.Width, d.Height = camera(m.Make, m.Model), m.Lens, m.Width, m.Height
		if ps, err := findPreviews(file, size, head); err == nil {
			if p, ok := choosePreview(ps, 1<<30); ok {
				d.Preview = fmt.Sprintf("embedded JPEG %d×%d", p.width, p.height)
				if d.Width == 0 {
					d.Width, d.Height = p.width, p.height
				}
			}
		}
	default:
		d.Format = k.String()
		m := readMeta(whole, f.Path, k)
		taken, d.DateField, orientation = m.TakenAt, m.DateTag, m.Orientation
		d.Camera, d.Lens, d.Width, d.Height = camera(m.Make, m.Model), m.Lens, m.Width, m.Height
		if k == formatHEIF || k == formatAVIF {
			if hi, err := readHEIFInfo(file, size); err == nil {
				d.Width, d.Height = hi.Width, hi.Height
				if hi.Transformed {
					orientation = hi.Orientation
				}
			}
		} else if d.Width == 0 && k.decodable() {
			if cfg, err := decodeConfig(k, bufioReader(io.NewSectionReader(file, 0, size))); err == nil {
				d.Width, d.Height = cfg.Width, cfg.Height
			}
		}
	}
	if orientation >= 5 {
		d.Width, d.Height = d.Height, d.Width
	}
	d.TakenAt, d.TakenSource = domain.DateTaken(f.Path, taken, modTime, time.Now())
	switch {
	case d.TakenSource == domain.TakenFromEXIF && k == formatVideo:
		d.TakenSource = domain.TakenFromContainer
	case d.TakenSource != domain.TakenFromEXIF:
		d.DateField = ""
	}
	return d, nil
}

// camera joins a camera's make and model as people say them: "Apple
// iPhone 7", "Canon EOS 6D" (Canon's model names repeat the make).
func camera(mk, model string) string {
	mk, model = strings.TrimSpace(mk), strings.TrimSpace(model)
	switch {
	case model == "":
		return mk
	case mk == "" || strings.HasPrefix(strings.ToLower(model), strings.ToLower(strings.Fields(mk)[0])):
		return model
	}
	return mk + " " + model
}
