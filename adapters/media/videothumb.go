package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/photosync/photosync/domain"
)

// maxFrameBytes bounds the frame read from ffmpeg.
const maxFrameBytes = 128 << 20

// videoThumb makes the thumbnail of a video: a frame from ffmpeg when it
// is configured and succeeds, else a drawn poster with the duration. A
// video whose boxes are broken gets no thumbnail (EINVALID with the
// cause), so that the tile shows the kind icon.
func (t *Thumbnails) videoThumb(ctx context.Context, ra io.ReaderAt, name, file string, fileSize int64, size int) ([]byte, bool, error) {
	vm, err := readVideoMeta(ra, fileSize)
	if err != nil && !isISOBMFF(ra) {
		err = nil // not an MP4/MOV (AVI, MKV, ...): ffmpeg may still read it
	}
	if err != nil {
		e := domain.Errorf(domain.EINVALID, "%s cannot be shown: %v", name, err)
		e.Err = err
		return nil, false, e
	}
	if t.opts.ffmpeg != "" {
		img, ferr := t.limited(ctx, t.slots, func(limit context.Context) (image.Image, error) {
			return ffmpegFrame(limit, t.opts.ffmpeg, file, vm.Duration, size)
		})
		if ferr == nil {
			small := fit(img, size)
			flatten(small)
			b, err := encodeJPEG(small, thumbQuality)
			return b, err == nil, err
		}
		// A video ffmpeg cannot read still gets a poster.
	}
	b, err := encodeJPEG(videoPoster(vm, size), thumbQuality)
	return b, false, err
}

// isISOBMFF reports whether a file starts with a box that MP4, MOV, M4V
// and 3GP files start with (ftyp; older QuickTime files also moov, mdat,
// wide, free, skip or pnot).
func isISOBMFF(ra io.ReaderAt) bool {
	var b [8]byte
	if _, err := ra.ReadAt(b[:], 0); err != nil {
		return false
	}
	switch string(b[4:8]) {
	case "ftyp", "moov", "mdat", "wide", "free", "skip", "pnot":
		return true
	}
	return false
}

// ffmpegFrame runs ffmpeg for one frame of file, scaled down to fit size
// pixels and turned as the video's display matrix says, at one second in
// (or the middle of a shorter video), as a BMP on its standard output.
// ffmpeg is killed when ctx ends.
func ffmpegFrame(ctx context.Context, ffmpeg, file string, dur time.Duration, size int) (image.Image, error) {
	at := time.Second
	if dur > 0 && dur < 2*time.Second {
		at = dur / 2
	}
	frame, err := runFFmpeg(ctx, ffmpeg, file, at, size)
	if err != nil && at > 0 {
		// Some files cannot be sought in; the first frame then.
		frame, err = runFFmpeg(ctx, ffmpeg, file, 0, size)
	}
	if err != nil {
		return nil, err
	}
	img, err := bmp.Decode(bytes.NewReader(frame))
	if err != nil {
		return nil, fmt.Errorf("ffmpeg's frame: %w", err)
	}
	return img, nil
}

// runFFmpeg runs ffmpeg once and returns its output.
func runFFmpeg(ctx context.Context, ffmpeg, file string, at time.Duration, size int) ([]byte, error) {
	scale := fmt.Sprintf("scale='min(%d,iw)':'min(%d,ih)':force_original_aspect_ratio=decrease", size, size)
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), "-i", "file:"+file,
		"-frames:v", "1", "-an", "-sn", "-vf", scale, "-pix_fmt", "bgr24", "-c:v", "bmp", "-f", "image2pipe", "pipe:1")
	var out limitedBuffer
	out.max = maxFrameBytes
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("ffmpeg: %w", errTimeout)
	case err != nil:
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(lastLine(stderr.String())))
	case out.Len() == 0:
		return nil, errors.New("ffmpeg gave no frame")
	}
	return out.Bytes(), nil
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// limitedBuffer is a bytes.Buffer that fails writes beyond max bytes.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

// Write appends p unless the buffer would grow past max.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("more than %d MiB of output", b.max>>20)
	}
	return b.Buffer.Write(p)
}

// Colours of the drawn video poster.
var (
	posterTop    = color.RGBA{0x3c, 0x40, 0x43, 0xff}
	posterBottom = color.RGBA{0x20, 0x21, 0x24, 0xff}
	posterMark   = color.RGBA{0xf1, 0xf3, 0xf4, 0xff}
)

// videoPoster draws a poster for a video without a frame: a dark tile in
// the video's aspect ratio (4:3 when unknown) with a play mark in the
// middle and the duration in the lower right corner.
func videoPoster(vm videoMeta, size int) *image.RGBA {
	w, h := size, size*3/4
	if vm.Width > 0 && vm.Height > 0 {
		w, h = fitSize(vm.Width*size, vm.Height*size, size)
	}
	w, h = max(w, 16), max(h, 16)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		c := mix(posterTop, posterBottom, float64(y)/float64(h))
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	// The play mark: a triangle pointing right, a fifth of the short side.
	r := min(w, h) / 5
	cx, cy := w/2, h/2
	for y := cy - r; y <= cy+r; y++ {
		half := r - abs(y-cy)
		for x := cx - r*2/3; x <= cx-r*2/3+half*5/3; x++ {
			img.SetRGBA(x, y, posterMark)
		}
	}
	if vm.Duration > 0 {
		drawLabel(img, formatDuration(vm.Duration), max(1, min(w, h)/80))
	}
	return img
}

// drawLabel writes text in the lower right corner of img on a dark box,
// in basicfont's 7×13 pixels scaled by k.
func drawLabel(img *image.RGBA, text string, k int) {
	face := basicfont.Face7x13
	tw := font.MeasureString(face, text).Ceil()
	small := image.NewRGBA(image.Rect(0, 0, tw+6, 17))
	draw.Draw(small, small.Rect, &image.Uniform{color.RGBA{0, 0, 0, 0xc0}}, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.NewUniform(posterMark), Face: face, Dot: fixed.P(3, 13)}
	d.DrawString(text)
	b := img.Rect
	dst := image.Rect(b.Max.X-small.Rect.Dx()*k-4*k, b.Max.Y-small.Rect.Dy()*k-4*k, b.Max.X-4*k, b.Max.Y-4*k)
	draw.NearestNeighbor.Scale(img, dst, small, small.Rect, draw.Over, nil)
}

// formatDuration writes a duration as a video player shows it: 0:07,
// 12:34, 1:02:03.
func formatDuration(d time.Duration) string {
	s := int64((d + time.Second/2) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func mix(a, b color.RGBA, f float64) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8(float64(x)*(1-f) + float64(y)*f) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xff}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
