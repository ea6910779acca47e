package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// MaxPixels is the largest image, in pixels, that this package decodes. A
// larger image, or a decompression bomb that claims to be one, is never
// decoded: decoding holds every pixel in memory (1.5 to 8 bytes each).
const MaxPixels = 100_000_000

// maxTIFFBytes bounds the TIFF files decoded: the TIFF decoder needs random
// access and so reads a stream whole into memory.
const maxTIFFBytes = 512 << 20

// errTooLarge means an image's header declares more than MaxPixels pixels.
var errTooLarge = errors.New("too large to check")

// errUnsupported means an image is valid as far as the decoder can tell
// but uses a feature the pure-Go decoder lacks (12-bit or arithmetic-coded
// JPEG, some TIFF compressions): not a sign of corruption.
var errUnsupported = errors.New("unsupported variant")

// codec is the pure-Go header reader and decoder of one format.
type codec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// codecs are the decoders by format (a GIF decodes to its first frame).
var codecs = map[format]codec{
	formatJPEG: {jpeg.DecodeConfig, jpeg.Decode},
	formatPNG:  {png.DecodeConfig, png.Decode},
	formatGIF:  {gif.DecodeConfig, gif.Decode},
	formatWebP: {webp.DecodeConfig, webp.Decode},
	formatBMP:  {bmp.DecodeConfig, bmp.Decode},
	formatTIFF: {tiff.DecodeConfig, tiff.Decode},
}

// decodeConfig reads an image's header.
func decodeConfig(f format, r io.Reader) (image.Config, error) {
	c, ok := codecs[f]
	if !ok {
		return image.Config{}, fmt.Errorf("no decoder for %s", f)
	}
	return c.config(r)
}

// decodePixels decodes a whole image (a GIF's first frame).
func decodePixels(f format, r io.Reader) (image.Image, error) {
	c, ok := codecs[f]
	if !ok {
		return nil, fmt.Errorf("no decoder for %s", f)
	}
	return c.decode(r)
}

// decodeBounded decodes an image of format f from r after checking that
// its header declares at most MaxPixels pixels and, when check is not nil,
// that check accepts the header (check's error is returned as it is). It
// reads r once: the bytes the header check reads are replayed to the
// decoder. Other errors are errTooLarge, errUnsupported or the decoder's
// error (wrapped), which means the image is corrupt unless r itself failed.
func decodeBounded(f format, r io.Reader, check func(image.Config) error) (img image.Image, cfg image.Config, err error) {
	// A decoder that panics on a crafted file must not take the indexer
	// or the server down with it: the file is then just not decodable.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%s decoder failed: %v", f, p)
		}
	}()
	if f == formatTIFF {
		b, err := io.ReadAll(io.LimitReader(r, maxTIFFBytes+1))
		if err != nil {
			return nil, image.Config{}, err
		}
		if len(b) > maxTIFFBytes {
			return nil, image.Config{}, errTooLarge
		}
		r = bytes.NewReader(b)
	}
	var head bytes.Buffer
	cfg, err = decodeConfig(f, io.TeeReader(r, &head))
	if err != nil {
		return nil, cfg, decodeErr(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, cfg, fmt.Errorf("%s header declares %dx%d pixels", f, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, cfg, fmt.Errorf("%w (%dx%d pixels)", errTooLarge, cfg.Width, cfg.Height)
	}
	if check != nil {
		if err := check(cfg); err != nil {
			return nil, cfg, err
		}
	}
	img, err = decodePixels(f, io.MultiReader(&head, r))
	if err != nil {
		return nil, cfg, decodeErr(err)
	}
	return img, cfg, nil
}

// decodeErr marks the decoders' "valid but unsupported" errors.
func decodeErr(err error) error {
	var je jpeg.UnsupportedError
	var te tiff.UnsupportedError
	if errors.As(err, &je) || errors.As(err, &te) || errors.Is(err, bmp.ErrUnsupported) {
		return fmt.Errorf("%w: %v", errUnsupported, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("the file ends before the image does: %w", err)
	}
	return err
}

// readerState wraps a reader to remember its first failure other than
// io.EOF, so that a failing disk is told apart from a corrupt file (both
// surface as decoder errors), and to stop at a cancelled context.
type readerState struct {
	r   io.Reader
	ctx context.Context
	err error
}

// Read reads from the wrapped reader unless the context is done.
func (s *readerState) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.ctx != nil {
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return 0, err
		}
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}
