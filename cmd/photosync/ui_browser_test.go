package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// chromiumPath is Debian's Chromium, which `make test` installs.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds each step of a browser test: a step polls the page
// until its condition holds or this time has passed.
const stepTimeout = 20 * time.Second

// browser is one headless Chromium tab driven through chromedp.
type browser struct {
	t      *testing.T
	ctx    context.Context
	base   string // photosync's URL
	shots  string // where the screenshots go
	update bool   // also write them to docs/screenshots

	mu       sync.Mutex
	problems []string // exceptions, console errors and CSP reports
}

// startBrowser starts Chromium as the tests run it in CI (as root, in a
// container: no sandbox, no GPU) with a fresh profile.
func startBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is not installed at %s: run `make test`, which installs Debian's chromium package (%v)", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, shots: t.ArtifactDir(), update: os.Getenv("PHOTOSYNC_UPDATE_SCREENSHOTS") == "1"}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// Failed requests (a 401 before sign-in, a 422 for a wrong
			// password) are logged by the network; they are expected.
			if m.IsException() || m.Type == chromedp.ConsoleError && m.Source != "network" {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	b.do("set the viewport", chromedp.EmulateViewport(1280, 860))
	return b
}

// fail reports a failed step with a screenshot and the page's text.
func (b *browser) fail(step string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if png, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
		_ = os.WriteFile(filepath.Join(b.shots, "failure.png"), png, 0o644)
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	b.t.Fatalf("%s: %v\nconsole: %v\npage text:\n%s\n(screenshot: %s)", step, err, b.consoleProblems(), text, filepath.Join(b.shots, "failure.png"))
}

func (b *browser) consoleProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// do runs actions as one step with a deadline.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// eval returns the JSON value of a JavaScript expression.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		b.fail("evaluate "+expr, err)
	}
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(step, cond string) {
	b.t.Helper()
	b.do(step, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
}

// waitText waits until the element of sel shows text (case-insensitive).
func (b *browser) waitText(sel, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%s shows %q", sel, text), fmt.Sprintf(
		`(() => { const el = document.querySelector(%q); return !!el && el.offsetParent !== null && el.innerText.toLowerCase().includes(%q); })()`,
		sel, strings.ToLower(text)))
}

// click clicks the visible element of sel with the mouse.
func (b *browser) click(sel string, opts ...chromedp.MouseOption) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.NodeVisible))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.MouseClickNode(nodes[0], opts...))
	}
	if err != nil {
		b.fail("click "+sel, err)
	}
}

// fill replaces the text of a field by typing into it.
func (b *browser) fill(sel, text string) {
	b.t.Helper()
	b.do("fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); })()`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), text))
}

// key sends a key to the focused element.
func (b *browser) key(k string, opts ...chromedp.KeyOption) {
	b.t.Helper()
	b.do("key", chromedp.KeyEvent(k, opts...))
}

// press sends a key as a browser does when the page handles its keydown
// (and cancels it): keydown and keyup, without the char event that
// chromedp's KeyEvent adds, which would reach whatever the keydown focused.
func (b *browser) press(key, code string, keyCode int64) {
	b.t.Helper()
	b.do("press "+key, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// colorScheme makes the page see prefers-color-scheme: scheme ("light"
// or "dark").
func (b *browser) colorScheme(scheme string) {
	b.t.Helper()
	b.do("prefer "+scheme, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// shot saves a screenshot of the viewport as name.png, once images have
// loaded, scrolled to the top of the page or to the element of scrollTo.
func (b *browser) shot(name string, scrollTo ...string) {
	b.t.Helper()
	scroll := `window.scrollTo(0, 0)`
	if len(scrollTo) > 0 {
		scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: 'start'}); window.scrollBy(0, -72)`, scrollTo[0])
	}
	b.do("scroll for "+name, chromedp.Evaluate[chromedp.Void](scroll))
	b.waitFor("images of "+name+" load", `[...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight).every((i) => i.complete && i.naturalWidth > 0)`)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if b.update {
		dir := filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// uiLibrary writes a library of six photos: plain JPEGs, one with a RAW
// file, one with a video (a live photo) and one with a sidecar.
func uiLibrary(t *testing.T) string {
	t.Helper()
	lib := t.TempDir()
	jpeg := func(seed int64, w, h, day int) []byte {
		return mediatest.JPEG(t, mediatest.JPEGOptions{Width: w, Height: h, Seed: seed, TakenAt: time.Date(2024, 6, day, 9+day, 30, 0, 0, time.UTC)})
	}
	files := map[string][]byte{
		"2024/06/IMG_0001.JPG": jpeg(1, 800, 600, 1),
		"2024/06/IMG_0002.JPG": jpeg(2, 600, 800, 2),
		"2024/06/IMG_0003.JPG": jpeg(3, 800, 600, 3),
		"2024/06/IMG_0003.DNG": mediatest.RAW(t, 3, 40000),
		"2024/06/IMG_0004.JPG": jpeg(4, 800, 600, 4),
		"2024/06/IMG_0004.MOV": mediatest.Video(t, 4, 60000),
		"2024/06/IMG_0005.JPG": jpeg(5, 800, 600, 5),
		"2024/07/IMG_0006.JPG": jpeg(6, 640, 640, 6),
		"2024/07/IMG_0006.xmp": mediatest.Sidecar(t, "IMG_0006"),
	}
	for rel, data := range files {
		mediatest.WriteFile(t, lib, rel, data)
	}
	return lib
}

// uiAccount is an account as the API answers it, with its settings.
type uiAccount struct {
	ID                int64
	UploadFolder      string `json:"upload_folder"`
	UploadSize        string `json:"upload_size"`
	SyncEnabled       bool   `json:"sync_enabled"`
	SyncFolder        string `json:"sync_folder"`
	SyncInterval      int64  `json:"sync_interval"`
	SyncDownload      bool   `json:"sync_download"`
	SyncUpload        bool   `json:"sync_upload"`
	SyncPreserveNames bool   `json:"sync_preserve_names"`
	SyncRaw           bool   `json:"sync_raw"`
	SyncVideo         bool   `json:"sync_video"`
}

// assertSameFile fails unless the server's file is the library's, byte for byte.
func assertSameFile(t *testing.T, remote, local string) {
	t.Helper()
	want, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(remote)
	if err != nil {
		t.Errorf("not on the server: %v", err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes on the server, want the %d of %s", remote, len(got), len(want), local)
	}
}
