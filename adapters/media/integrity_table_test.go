//go:build integritytable

package media_test

// The table of docs/integrity.md: which broken files the structural check
// finds, next to what a full decode finds. It needs the shared sample
// media, ffmpeg, heif-convert and dcraw, so it is built only with
//
//	go test -tags integritytable -run TestIntegrityTable -v ./adapters/media/

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
)

// decodeWith decodes a file fully with a decoder, answering what it
// reported ("" when it found nothing wrong).
func decodeWith(t *testing.T, kind, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	switch kind {
	case "JPEG":
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			return err.Error()
		}
		return ""
	case "PNG":
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			return err.Error()
		}
		return ""
	case "HEIC":
		cmd = exec.Command("heif-convert", path, filepath.Join(t.TempDir(), "out.png"))
	case "MP4", "MOV":
		cmd = exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-")
	case "DNG":
		cmd = exec.Command("dcraw", "-c", path)
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	err = cmd.Run()
	msg := strings.TrimSpace(stderr.String())
	if kind == "HEIC" && err == nil {
		msg = "" // heif-convert prints progress to stdout only; errors exit non-zero
	}
	if err != nil && msg == "" {
		msg = err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return msg
}

func TestIntegrityTable(t *testing.T) {
	dir := sharedDir(t)
	cam, err := mediatest.CameraJPEG(2000, 1500, 1, time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := []struct {
		kind, name string
		data       []byte
	}{
		{"JPEG", "camera.jpg", cam},
		{"PNG", "screen.png", mediatest.PNG(t, 400, 300)},
		{"HEIC", "iphone_7.heic", read("iphone_7.heic")},
		{"MP4", "christmas.mp4", read("christmas.mp4")},
		{"MOV", "earth.mov", read("earth.mov")},
		{"DNG", "canon_eos_6d.dng", read("canon_eos_6d.dng")},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	breaks := []corruption{
		corruptions[0], corruptions[1], corruptions[2], corruptions[3], corruptions[4],
		{"4 KB of random bytes in the middle", func(b []byte) []byte {
			out := bytes.Clone(b)
			for i := range 4096 {
				out[len(out)/2+i] = byte(rng.Uint32())
			}
			return out
		}},
		{"8 bytes flipped in the coded data", func(b []byte) []byte {
			out := bytes.Clone(b)
			for i := range 8 {
				out[len(out)*(60+4*i)/100] ^= 0x55
			}
			return out
		}},
	}
	tmp := t.TempDir()
	var table strings.Builder
	table.WriteString("| damage |")
	for _, f := range files {
		fmt.Fprintf(&table, " %s: structure | %s: decode |", f.kind, f.kind)
	}
	table.WriteString("\n|---|" + strings.Repeat("---|---|", len(files)) + "\n")
	for _, c := range append([]corruption{{"none (the sound file)", func(b []byte) []byte { return b }}}, breaks...) {
		fmt.Fprintf(&table, "| %s |", c.name)
		for _, f := range files {
			data := c.do(f.data)
			p := filepath.Join(tmp, f.name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cerr := media.NewChecker().Check(context.Background(), f.name, bytes.NewReader(data), int64(len(data)))
			dec := "–"
			if len(data) == 0 {
				dec = "found"
			} else if msg := decodeWith(t, f.kind, p); msg != "" {
				dec = "found"
				t.Logf("%s %s: decoder: %s", f.kind, c.name, msg)
			}
			st := "–"
			if cerr != nil {
				st = "found"
				t.Logf("%s %s: structure: %v", f.kind, c.name, cerr)
			}
			fmt.Fprintf(&table, " %s | %s |", st, dec)
		}
		table.WriteString("\n")
	}
	t.Logf("\n%s", table.String())
}
