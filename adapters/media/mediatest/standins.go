package mediatest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// RAW returns size bytes standing in for a DNG file: a little-endian TIFF
// structure whose IFD0 has the DNG version, Make, Model, Orientation 1 and
// DateTime, and whose Exif IFD has DateTimeOriginal (both RAWTakenAt(seed)),
// followed by random bytes. Metadata readers take it for a DNG; no decoder
// can show it.
func RAW(t testing.TB, seed, size int64) []byte {
	t.Helper()
	head := rawHeader(seed)
	if size < int64(len(head)) {
		t.Fatalf("mediatest.RAW: size %d is below the %d bytes of its header", size, len(head))
	}
	out := make([]byte, size)
	copy(out, head)
	randomBytes(seed, out[len(head):])
	return out
}

// Video returns size bytes standing in for an MP4 file: an ftyp box, a
// moov box with a movie header, then an mdat box of random bytes.
func Video(t testing.TB, seed, size int64) []byte {
	t.Helper()
	var buf bufferWriter
	if err := writeVideo(&buf, seed, size); err != nil {
		t.Fatalf("mediatest.Video: %v", err)
	}
	return buf
}

// WriteVideo writes Video(t, seed, size) to dir/rel without holding it in
// memory, for tests of large files, and returns the file's path.
func WriteVideo(t testing.TB, dir, rel string, seed, size int64) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = writeVideo(w, seed, size)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("mediatest.WriteVideo: %v", err)
	}
	return p
}

// ftyp is the ftyp box of Video (brand isom, compatible with isom and
// mp41) and a moov box holding only an mvhd (version 0, time scale 1000,
// no duration), so that its top-level boxes are those of a real MP4.
var ftyp = func() []byte {
	b := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41")
	b = append(b, "\x00\x00\x00\x74moov\x00\x00\x00\x6cmvhd"...)
	mvhd := make([]byte, 100)                    // version, flags, times: 0
	binary.BigEndian.PutUint32(mvhd[12:], 1000)  // time scale
	binary.BigEndian.PutUint32(mvhd[20:], 1<<16) // rate 1.0
	binary.BigEndian.PutUint16(mvhd[24:], 1<<8)  // volume 1.0
	binary.BigEndian.PutUint32(mvhd[96:], 1)     // next track ID
	return append(b, mvhd...)
}()

// writeVideo writes Video's bytes to w in chunks.
func writeVideo(w io.Writer, seed, size int64) error {
	if size < int64(len(ftyp))+8 {
		return fmt.Errorf("size %d is below the %d bytes of the boxes", size, len(ftyp)+8)
	}
	mdat := binary.BigEndian.AppendUint32(nil, uint32(min(size-int64(len(ftyp)), 1<<32-1)))
	mdat = append(mdat, "mdat"...)
	if _, err := w.Write(append(append([]byte{}, ftyp...), mdat...)); err != nil {
		return err
	}
	rng := rand.NewChaCha8(seedBytes(seed))
	chunk := make([]byte, 256<<10)
	for left := size - int64(len(ftyp)) - 8; left > 0; {
		n := min(left, int64(len(chunk)))
		rng.Read(chunk[:n])
		if _, err := w.Write(chunk[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// Sidecar returns an XMP packet, as photo editors write beside a photo
// whose file name without extension is stem.
func Sidecar(t testing.TB, stem string) []byte {
	t.Helper()
	return fmt.Appendf(nil, `<?xpacket begin="%s" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photosync mediatest">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmp:Rating="3"
   xmpMM:DerivedFrom="%s">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">%s</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`, "\ufeff", stem, stem)
}

// randomBytes fills b with bytes determined by seed.
func randomBytes(seed int64, b []byte) {
	rand.NewChaCha8(seedBytes(seed)).Read(b)
}

// seedBytes turns a seed into a ChaCha8 key.
func seedBytes(seed int64) [32]byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], uint64(seed))
	copy(key[8:], "photosync mediatest")
	return key
}

// bufferWriter collects what is written to it.
type bufferWriter []byte

// Write appends p.
func (b *bufferWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
