package domain

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// movingByStack is what moving answered before it stopped stacking: the
// reference it must agree with.
func movingByStack(p *planner, files []LibraryFile) map[string]bool {
	want := map[string]bool{}
	photos, _ := Stack(files)
	for _, ph := range photos {
		anchored := slices.ContainsFunc(ph.Files, func(f LibraryFile) bool {
			return f.Kind != KindSidecar && p.kindMoves(f.Kind)
		})
		for _, f := range ph.Files {
			if p.kindMoves(f.Kind) || f.Kind == KindSidecar && anchored {
				want[f.Path] = true
			}
		}
	}
	return want
}

func TestMovingAgreesWithStack(t *testing.T) {
	folders := []string{"", "a", "a/b", "A"}
	stems := []string{"IMG_1234", "img_1234", "IMG_E1234", "img_e1234", "IMG_E12x4", "IMG_E", "DSC_0001", "x.y"}
	exts := []string{".jpg", ".JPG", ".heic", ".dng", ".CR2", ".mp4", ".MOV", ".xmp", ".JPG.xmp", ".dng.XMP", ".txt", ".aae", ""}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3000 {
		seen := map[string]bool{}
		var files []LibraryFile
		for range rng.IntN(12) {
			p := stems[rng.IntN(len(stems))] + exts[rng.IntN(len(exts))]
			if f := folders[rng.IntN(len(folders))]; f != "" {
				p = f + "/" + p
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			files = append(files, LibraryFile{Path: p, Kind: KindOf(p)})
		}
		p := &planner{s: SyncSettings{Raw: rng.IntN(2) == 0, Video: rng.IntN(2) == 0}}
		kinded := make([]kindedPath, len(files))
		for i, f := range files {
			kinded[i] = kindedPath{f.Path, f.Kind}
		}
		got, want := p.moving(kinded), movingByStack(p, files)
		if !maps.Equal(got, want) {
			t.Fatalf("round %d, raw %v video %v, files %v:\nmoving  %v\nStack's %v", round, p.s.Raw, p.s.Video, files, got, want)
		}
	}
}
