package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

func TestResizeKeepsDateAndAppliesOrientation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		opts mediatest.JPEGOptions
	}{
		{"intel order, offset", mediatest.JPEGOptions{TakenAt: time.Date(2019, 6, 9, 21, 57, 32, 0, tokyo), Orientation: 6}},
		{"motorola order, wall clock", mediatest.JPEGOptions{TakenAt: time.Date(2016, 2, 29, 23, 59, 59, 0, time.UTC), Orientation: 8, BigEndian: true}},
		{"no orientation", mediatest.JPEGOptions{TakenAt: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Width, tt.opts.Height = 1200, 800
			orig := mediatest.JPEG(t, tt.opts)
			out, err := media.NewResizer().Resize(context.Background(), "IMG_1.JPG", bytes.NewReader(orig), 300)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 || len(out) >= len(orig) {
				t.Fatalf("resized to %d bytes from %d, want a smaller JPEG", len(out), len(orig))
			}
			info := inspect(t, "small.jpg", out)
			if !info.TakenAt.Equal(tt.opts.TakenAt) {
				t.Errorf("date taken %v, want %v", info.TakenAt, tt.opts.TakenAt)
			}
			wantW, wantH, wantO := 300, 200, 0
			if tt.opts.Orientation != 0 {
				wantO = 1 // the tag is kept, reset
			}
			if tt.opts.Orientation >= 5 {
				wantW, wantH = 200, 300
			}
			if info.Width != wantW || info.Height != wantH || info.Orientation != wantO || info.Problem != "" {
				t.Errorf("resized %+v, want %dx%d, orientation %d, no problem", info, wantW, wantH, wantO)
			}
			o := max(1, tt.opts.Orientation)
			red, blue := markerCorners(t, decodeJPEG(t, out))
			if want := orientationCorners[o]; red != want[0] || blue != want[1] {
				t.Errorf("red %q and blue %q corners, want %q and %q", red, blue, want[0], want[1])
			}
		})
	}
}

func TestResizeKeepsICCProfile(t *testing.T) {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 500, Height: 500, Orientation: 1})
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte("profile!"), 40)...)
	seg := append(binary.BigEndian.AppendUint16([]byte{0xff, 0xe2}, uint16(len(icc)+2)), icc...)
	withICC := append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
	out, err := media.NewResizer().Resize(context.Background(), "a.jpg", bytes.NewReader(withICC), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, seg) {
		t.Error("the ICC profile segment was not copied")
	}
	if !bytes.HasPrefix(out[2:], []byte{0xff, 0xe1}) {
		t.Error("the EXIF segment does not follow SOI")
	}
}

func TestResizeOthers(t *testing.T) {
	small := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200, TakenAt: time.Now()})
	png := mediatest.PNG(t, 600, 300)
	rs := media.NewResizer()

	out, err := rs.Resize(context.Background(), "small.jpg", bytes.NewReader(small), 300)
	if out != nil || err != nil {
		t.Errorf("Resize of an image within maxSide = %d bytes, %v; want nil, nil", len(out), err)
	}

	out, err = rs.Resize(context.Background(), "p.png", bytes.NewReader(png), 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeJPEG(t, out).Bounds().Size(); got != image.Pt(100, 50) {
		t.Errorf("resized PNG is %v, want 100x50", got)
	}

	for name, data := range map[string][]byte{
		"cut.jpg": mediatest.Corrupt(t), "clip.mp4": mediatest.Video(t, 2, 5000),
		"raw.dng": mediatest.RAW(t, 2, 5000), "empty.jpg": nil,
	} {
		if _, err := rs.Resize(context.Background(), name, bytes.NewReader(data), 100); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Resize(%s) = %v, want EINVALID", name, err)
		}
	}
	if _, err := rs.Resize(context.Background(), "p.png", bytes.NewReader(png), 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Resize to 0 pixels = %v, want EINVALID", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rs.Resize(ctx, "p.png", bytes.NewReader(png), 100); !errors.Is(err, context.Canceled) {
		t.Errorf("Resize with a cancelled context = %v, want context.Canceled", err)
	}
}
