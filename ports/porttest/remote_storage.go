package porttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestRemoteStorage is the contract of ports.RemoteStorage. newStorage
// returns a storage whose endpoint may hold other things: every subtest
// works in a folder of its own with a random name, so one server can serve
// all of them.
//
// Decisions the contract fixes beyond the port's comments:
//   - List of a file is EINVALID, not ENOTFOUND.
//   - MkdirAll of a file is ECONFLICT; below a file it fails with a code
//     that may depend on the server.
//   - Delete of a missing path is ENOTFOUND.
//   - A 0-byte upload is legal.
//   - A file's Checksum (Stat, List, Download) is none or the SHA-1 of its
//     content, valid (domain.Checksum.Validate).
//   - Names with spaces, "é", "#", "%" and "+" round-trip exactly.
//   - A cancelled context fails every operation with an error wrapping
//     context.Canceled, and changes nothing.
//   - Errors about the server's answers (ENOTFOUND, ...) have Remote set.
func TestRemoteStorage(t *testing.T, newStorage func(t *testing.T) ports.RemoteStorage) {
	ctx := context.Background()

	t.Run("MkdirAll nested and idempotent", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		nested := dir + "/a/b/c"
		remoteMkdirAll(t, s, nested)
		for _, p := range []string{dir, dir + "/a", dir + "/a/b", nested} {
			f, err := s.Stat(ctx, p)
			if err != nil {
				t.Fatalf("Stat(%q) after MkdirAll: %v", p, err)
			}
			if !f.IsDir {
				t.Fatalf("Stat(%q).IsDir = false, want a folder", p)
			}
		}
		for _, p := range []string{nested, dir + "/a", dir, "/"} {
			if err := s.MkdirAll(ctx, p); err != nil {
				t.Fatalf("MkdirAll(%q) of an existing folder: %v", p, err)
			}
		}
	})

	t.Run("MkdirAll where a file is fails", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		remoteUpload(t, s, dir+"/file.txt", []byte("a file"))
		wantRemoteCode(t, "MkdirAll of a file", s.MkdirAll(ctx, dir+"/file.txt"), domain.ECONFLICT)
		if err := s.MkdirAll(ctx, dir+"/file.txt/sub"); err == nil {
			t.Fatal("MkdirAll below a file succeeded")
		}
		if f, err := s.Stat(ctx, dir+"/file.txt"); err != nil || f.IsDir {
			t.Fatalf("Stat of the file after MkdirAll = %+v, %v; want the file unchanged", f, err)
		}
	})

	t.Run("root is a folder", func(t *testing.T) {
		f, err := newStorage(t).Stat(ctx, "/")
		if err != nil {
			t.Fatalf("Stat(/): %v", err)
		}
		if !f.IsDir {
			t.Fatal("Stat(/).IsDir = false")
		}
	})

	t.Run("upload, stat and download", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		for name, data := range map[string][]byte{"random.bin": remoteRandom(t, 5000), "empty.txt": {}} {
			p := dir + "/" + name
			remoteUpload(t, s, p, data)
			f, err := s.Stat(ctx, p)
			if err != nil {
				t.Fatalf("Stat(%q) after Upload: %v", p, err)
			}
			if f.IsDir || f.Size != int64(len(data)) || f.Name != name || f.Path != p {
				t.Fatalf("Stat(%q) = %+v, want a file %q of %d bytes", p, f, name, len(data))
			}
			if f.ModTime.IsZero() {
				t.Fatalf("Stat(%q).ModTime is zero", p)
			}
			got, df := remoteDownload(t, s, p)
			if !bytes.Equal(got, data) {
				t.Fatalf("Download(%q) = %d bytes, want the %d uploaded", p, len(got), len(data))
			}
			if df.Size != int64(len(data)) || df.Path != p || df.Name != name {
				t.Fatalf("Download(%q) file = %+v, want %q of %d bytes", p, df, name, len(data))
			}
		}
	})

	t.Run("upload replaces a file", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		p := dir + "/photo.jpg"
		remoteUpload(t, s, p, remoteRandom(t, 3000))
		second := remoteRandom(t, 1000)
		remoteUpload(t, s, p, second)
		if got, _ := remoteDownload(t, s, p); !bytes.Equal(got, second) {
			t.Fatalf("Download after replacing = %d bytes, want the second upload's %d", len(got), len(second))
		}
		if f, err := s.Stat(ctx, p); err != nil || f.Size != int64(len(second)) {
			t.Fatalf("Stat after replacing = %+v, %v; want size %d", f, err, len(second))
		}
	})

	t.Run("upload into a missing folder is ENOTFOUND", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		err := s.Upload(ctx, dir+"/missing/a.txt", bytes.NewReader([]byte("abc")), 3, domain.UploadMeta{})
		wantRemoteCode(t, "Upload into a missing folder", err, domain.ENOTFOUND)
	})

	t.Run("list returns direct children with exact names", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		files := []string{"plain.jpg", "with space.jpg", "é.jpg", "hash#1.jpg", "100%.jpg", "a+b.jpg"}
		folders := []string{"sub", "sub é #%+ dir"}
		for _, f := range folders {
			remoteMkdirAll(t, s, dir+"/"+f)
			remoteUpload(t, s, dir+"/"+f+"/grandchild.txt", []byte("deep"))
		}
		for i, f := range files {
			remoteUpload(t, s, dir+"/"+f, bytes.Repeat([]byte("x"), i+1))
		}
		list, err := s.List(ctx, dir)
		if err != nil {
			t.Fatalf("List(%q): %v", dir, err)
		}
		var got []string
		for _, f := range list {
			got = append(got, f.Name)
			if f.Path != dir+"/"+f.Name {
				t.Errorf("entry %q has Path %q, want %q", f.Name, f.Path, dir+"/"+f.Name)
			}
			wantDir := slices.Contains(folders, f.Name)
			if f.IsDir != wantDir {
				t.Errorf("entry %q: IsDir = %v, want %v", f.Name, f.IsDir, wantDir)
			}
			if i := slices.Index(files, f.Name); i >= 0 && f.Size != int64(i+1) {
				t.Errorf("entry %q: Size = %d, want %d", f.Name, f.Size, i+1)
			}
		}
		want := append(append([]string(nil), files...), folders...)
		slices.Sort(got)
		slices.Sort(want)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("List(%q) names = %q, want %q", dir, got, want)
		}
		for _, f := range list { // the listed paths work as they are
			if _, err := s.Stat(ctx, f.Path); err != nil {
				t.Errorf("Stat(%q) of a listed entry: %v", f.Path, err)
			}
		}
		sub, err := s.List(ctx, dir+"/"+folders[1])
		if err != nil || len(sub) != 1 || sub[0].Name != "grandchild.txt" {
			t.Fatalf("List of %q = %+v, %v; want only grandchild.txt", folders[1], sub, err)
		}
		if got, _ := remoteDownload(t, s, sub[0].Path); string(got) != "deep" {
			t.Fatalf("Download(%q) = %q, want %q", sub[0].Path, got, "deep")
		}
	})

	t.Run("list of an empty folder", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		list, err := s.List(ctx, dir)
		if err != nil || len(list) != 0 {
			t.Fatalf("List of an empty folder = %+v, %v; want nothing", list, err)
		}
	})

	t.Run("missing paths are ENOTFOUND", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		_, err := s.Stat(ctx, dir)
		wantRemoteCode(t, "Stat of a missing folder", err, domain.ENOTFOUND)
		_, err = s.Stat(ctx, dir+"/missing.jpg")
		wantRemoteCode(t, "Stat below a missing folder", err, domain.ENOTFOUND)
		_, err = s.List(ctx, dir)
		wantRemoteCode(t, "List of a missing folder", err, domain.ENOTFOUND)
		_, _, err = s.Download(ctx, dir+"/missing.jpg")
		wantRemoteCode(t, "Download of a missing file", err, domain.ENOTFOUND)
		wantRemoteCode(t, "Delete of a missing file", s.Delete(ctx, dir+"/missing.jpg"), domain.ENOTFOUND)
		remoteMkdirAll(t, s, dir)
		_, _, err = s.Download(ctx, dir+"/missing.jpg")
		wantRemoteCode(t, "Download of a missing file in a folder", err, domain.ENOTFOUND)
	})

	t.Run("a reported checksum is the content's SHA-1", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		p := dir + "/summed.jpg"
		data := remoteRandom(t, 2000)
		h := sha1.Sum(data)
		sum := hex.EncodeToString(h[:])
		meta := domain.UploadMeta{ModTime: time.Date(2024, 5, 17, 10, 30, 0, 0, time.UTC), SHA1: sum}
		if err := s.Upload(ctx, p, bytes.NewReader(data), int64(len(data)), meta); err != nil {
			t.Fatalf("Upload(%q) with its SHA-1: %v", p, err)
		}
		st, err := s.Stat(ctx, p)
		if err != nil {
			t.Fatalf("Stat(%q): %v", p, err)
		}
		list, err := s.List(ctx, dir)
		if err != nil || len(list) != 1 {
			t.Fatalf("List(%q) = %+v, %v; want the one file", dir, list, err)
		}
		got, df := remoteDownload(t, s, p)
		if !bytes.Equal(got, data) {
			t.Fatalf("Download(%q) = %d bytes, want the %d uploaded", p, len(got), len(data))
		}
		for what, c := range map[string]domain.Checksum{"Stat": st.Checksum, "List": list[0].Checksum, "Download": df.Checksum} {
			// A server need not report one; one it reports is the SHA-1.
			if !c.IsZero() && (c.Validate() != nil || c != domain.SHA1Checksum(sum)) {
				t.Errorf("%s reports the checksum %q, want none or SHA1:%s", what, c, sum)
			}
		}
	})

	t.Run("list of a file is EINVALID", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		remoteUpload(t, s, dir+"/file.txt", []byte("not a folder"))
		_, err := s.List(ctx, dir+"/file.txt")
		wantRemoteCode(t, "List of a file", err, domain.EINVALID)
	})

	t.Run("delete a file and a folder", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir+"/folder/inner")
		remoteUpload(t, s, dir+"/file.txt", []byte("file"))
		remoteUpload(t, s, dir+"/folder/inner/deep.txt", []byte("deep"))
		if err := s.Delete(ctx, dir+"/file.txt"); err != nil {
			t.Fatalf("Delete of a file: %v", err)
		}
		_, err := s.Stat(ctx, dir+"/file.txt")
		wantRemoteCode(t, "Stat of a deleted file", err, domain.ENOTFOUND)
		if err := s.Delete(ctx, dir+"/folder"); err != nil {
			t.Fatalf("Delete of a folder: %v", err)
		}
		_, err = s.Stat(ctx, dir+"/folder")
		wantRemoteCode(t, "Stat of a deleted folder", err, domain.ENOTFOUND)
		_, err = s.Stat(ctx, dir+"/folder/inner/deep.txt")
		wantRemoteCode(t, "Stat of a file in a deleted folder", err, domain.ENOTFOUND)
		if list, err := s.List(ctx, dir); err != nil || len(list) != 0 {
			t.Fatalf("List after deleting everything = %+v, %v; want nothing", list, err)
		}
	})

	if _, ok := newStorage(t).(ports.Downloader); ok {
		t.Run("DownloadWith reads what Download reads", func(t *testing.T) {
			s, dir := newStorage(t), remoteDir(t)
			d := s.(ports.Downloader)
			remoteMkdirAll(t, s, dir)
			data := remoteRandom(t, 300<<10)
			remoteUpload(t, s, dir+"/photo.jpg", data)
			_, want := remoteDownload(t, s, dir+"/photo.jpg")
			for _, opts := range []ports.DownloadOptions{
				{},
				{Streams: 4},
				{Streams: 4, Retry: func(ctx context.Context, try func(context.Context) error) error { return try(ctx) }},
			} {
				rc, f, err := d.DownloadWith(ctx, dir+"/photo.jpg", opts)
				if err != nil {
					t.Fatalf("DownloadWith(%+v): %v", opts, err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatalf("reading DownloadWith(%+v): %v", opts, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("DownloadWith(%+v) read %d bytes that differ from the %d uploaded", opts, len(got), len(data))
				}
				if f.Path != want.Path || f.Size != want.Size || f.ETag != want.ETag || f.Checksum != want.Checksum || !f.ModTime.Equal(want.ModTime) {
					t.Fatalf("DownloadWith(%+v) gave %+v, Download %+v", opts, f, want)
				}
			}
			_, _, err := d.DownloadWith(ctx, dir+"/missing.jpg", ports.DownloadOptions{Streams: 4})
			wantRemoteCode(t, "DownloadWith of a missing file", err, domain.ENOTFOUND)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			rc, _, err := d.DownloadWith(cctx, dir+"/photo.jpg", ports.DownloadOptions{Streams: 4})
			if err == nil {
				_, err = io.ReadAll(rc)
				rc.Close()
			}
			wantRemoteCanceled(t, "DownloadWith", err)
		})
	}

	t.Run("a cancelled context fails every operation", func(t *testing.T) {
		s, dir := newStorage(t), remoteDir(t)
		remoteMkdirAll(t, s, dir)
		remoteUpload(t, s, dir+"/kept.txt", []byte("kept"))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.Stat(cctx, dir+"/kept.txt")
		wantRemoteCanceled(t, "Stat", err)
		_, err = s.List(cctx, dir)
		wantRemoteCanceled(t, "List", err)
		wantRemoteCanceled(t, "MkdirAll", s.MkdirAll(cctx, dir+"/new"))
		wantRemoteCanceled(t, "Upload", s.Upload(cctx, dir+"/new.txt", strings.NewReader("new"), 3, domain.UploadMeta{}))
		rc, _, err := s.Download(cctx, dir+"/kept.txt")
		if err == nil {
			_, err = io.ReadAll(rc) // an implementation may fail on the first read
			rc.Close()
		}
		wantRemoteCanceled(t, "Download", err)
		wantRemoteCanceled(t, "Delete", s.Delete(cctx, dir+"/kept.txt"))
		for _, p := range []string{dir + "/new", dir + "/new.txt"} {
			_, err := s.Stat(ctx, p)
			wantRemoteCode(t, "Stat after a cancelled operation", err, domain.ENOTFOUND)
		}
		if _, err := s.Stat(ctx, dir+"/kept.txt"); err != nil {
			t.Fatalf("a cancelled Delete removed the file: %v", err)
		}
	})
}

// remoteDir returns a folder name no other test uses.
func remoteDir(t *testing.T) string {
	t.Helper()
	return "/porttest-" + hex.EncodeToString(remoteRandom(t, 6))
}

func remoteRandom(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func remoteMkdirAll(t *testing.T, s ports.RemoteStorage, dir string) {
	t.Helper()
	if err := s.MkdirAll(context.Background(), dir); err != nil {
		t.Fatalf("MkdirAll(%q): %v", dir, err)
	}
}

func remoteUpload(t *testing.T, s ports.RemoteStorage, p string, data []byte) {
	t.Helper()
	meta := domain.UploadMeta{ModTime: time.Date(2024, 5, 17, 10, 30, 0, 0, time.UTC)}
	if err := s.Upload(context.Background(), p, bytes.NewReader(data), int64(len(data)), meta); err != nil {
		t.Fatalf("Upload(%q, %d bytes): %v", p, len(data), err)
	}
}

func remoteDownload(t *testing.T, s ports.RemoteStorage, p string) ([]byte, domain.RemoteFile) {
	t.Helper()
	rc, f, err := s.Download(context.Background(), p)
	if err != nil {
		t.Fatalf("Download(%q): %v", p, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading Download(%q): %v", p, err)
	}
	return data, f
}

// wantRemoteCode fails unless err is a remote *domain.Error with the given code.
func wantRemoteCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %s", what, err, got, code)
	}
	if !domain.IsRemote(err) {
		t.Fatalf("%s: error %v has Remote unset", what, err)
	}
}

func wantRemoteCanceled(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%s with a cancelled context: %v, want an error wrapping context.Canceled", what, err)
	}
}
