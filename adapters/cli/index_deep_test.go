package cli

import (
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// TestIndexDeep: `index` finds what the structure shows (a cut video),
// `index --deep` also what only decoding shows (a PNG whose chunks are
// whole but whose pixels are missing), reading every file again.
func TestIndexDeep(t *testing.T) {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, typ...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := append(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 300), 200), 8, 2, 0, 0, 0)
	png := []byte("\x89PNG\r\n\x1a\n")
	png = append(png, chunk("IHDR", ihdr)...)
	png = append(png, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	png = append(png, chunk("IEND", nil)...)

	dir := t.TempDir()
	mediatest.WriteFile(t, dir, "a.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{}))
	mediatest.WriteFile(t, dir, "b.png", png)
	mediatest.WriteFile(t, dir, "cut.mp4", mediatest.StandInMP4(1, 100<<10)[:50<<10])
	l := newLibraryCLI(t, dir)

	out := squeeze(l.run("index"))
	for _, want := range []string{"Indexed 3 files: 2 photos, 3 files read, 0 missing, 1 with problems.",
		"cut.mp4 corrupt or truncated: the MP4 box 'mdat' runs 51.4 kB past the end of the file"} {
		if !strings.Contains(out, want) {
			t.Errorf("index output lacks %q:\n%s", want, out)
		}
	}
	out = squeeze(l.run("index", "--deep"))
	for _, want := range []string{"Indexed 3 files: 1 photos, 3 files read, 0 missing, 2 with problems.",
		"b.png corrupt or truncated:", "cut.mp4 corrupt or truncated"} {
		if !strings.Contains(out, want) {
			t.Errorf("index --deep output lacks %q:\n%s", want, out)
		}
	}
}
