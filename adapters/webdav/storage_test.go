package webdav_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

// openStorage returns a factory for the contract suite that opens the
// endpoint with one Connector, as the app does.
func openStorage(url, user, pass string, typ domain.AccountType) func(t *testing.T) ports.RemoteStorage {
	c := webdav.NewConnector(nil)
	return func(t *testing.T) ports.RemoteStorage {
		t.Helper()
		s, err := c.Open(domain.Credentials{URL: url, Username: user, Password: pass, Timeout: 10 * time.Second}, typ)
		if err != nil {
			t.Fatalf("Open(%s): %v", url, err)
		}
		return s
	}
}

func TestRemoteStorageXNet(t *testing.T) {
	s := davtest.StartXNet(t)
	porttest.TestRemoteStorage(t, openStorage(s.URL, s.Username, s.Password, domain.TypeWebDAV))
}

func TestRemoteStorageRclone(t *testing.T) {
	s := davtest.StartRclone(t)
	porttest.TestRemoteStorage(t, openStorage(s.URL, s.Username, s.Password, domain.TypeWebDAV))
}

func TestRemoteStorageApache(t *testing.T) {
	s := davtest.StartApache(t)
	porttest.TestRemoteStorage(t, openStorage(s.URL, s.Username, s.Password, domain.TypeWebDAV))
}

func TestRemoteStorageNextcloud(t *testing.T) {
	n := davtest.StartNextcloud(t)
	porttest.TestRemoteStorage(t, openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud))
}

// TestNextcloudUploadHeaders checks what Nextcloud is told beside the bytes.
func TestNextcloudUploadHeaders(t *testing.T) {
	n := davtest.StartNextcloud(t)
	s := openStorage(n.DAVURL, n.LoginName, n.Password, domain.TypeNextcloud)(t)
	data := []byte("abc")
	meta := domain.UploadMeta{ModTime: time.Unix(1715941800, 0), SHA1: "a9993e364706816aba3e25717850c26c9cd0d89d"}
	if err := s.Upload(context.Background(), "/abc.txt", bytes.NewReader(data), 3, meta); err != nil {
		t.Fatal(err)
	}
	var put *davtest.Request
	for _, r := range n.Requests() {
		if r.Method == "PUT" {
			put = &r
		}
	}
	if put == nil {
		t.Fatal("no PUT recorded")
	}
	if put.ContentLength != 3 || put.Header.Get("X-OC-Mtime") != "1715941800" ||
		put.Header.Get("OC-Checksum") != "SHA1:a9993e364706816aba3e25717850c26c9cd0d89d" {
		t.Fatalf("PUT sent length %d, headers %v", put.ContentLength, put.Header)
	}
	// A large upload asks the server whether it wants the body first.
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB
	if err := s.Upload(context.Background(), "/big.bin", bytes.NewReader(big), int64(len(big)), domain.UploadMeta{}); err != nil {
		t.Fatal(err)
	}
	if reqs := n.Requests(); reqs[len(reqs)-1].Header.Get("Expect") != "100-continue" || reqs[len(reqs)-1].ContentLength != int64(len(big)) {
		t.Fatalf("large PUT sent %+v", reqs[len(reqs)-1])
	}
	if !bytes.Equal(n.ReadFile(t, "big.bin"), big) {
		t.Fatal("the server stored other bytes")
	}
	rc, f, err := s.Download(context.Background(), "/abc.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if f.Size != 3 || f.ETag == "" || f.ModTime.IsZero() {
		t.Fatalf("Download file = %+v, want size, ETag and time", f)
	}
}

// TestFileInTheWay checks that every server's answer to using a file as a
// folder (400, 404, 409 or a one-entry listing) reads as the same cause.
func TestFileInTheWay(t *testing.T) {
	xnet, rclone, apache, nc := davtest.StartXNet(t), davtest.StartRclone(t), davtest.StartApache(t), davtest.StartNextcloud(t)
	for name, open := range map[string]func(*testing.T) ports.RemoteStorage{
		"xnet":      openStorage(xnet.URL, xnet.Username, xnet.Password, domain.TypeWebDAV),
		"rclone":    openStorage(rclone.URL, rclone.Username, rclone.Password, domain.TypeWebDAV),
		"apache":    openStorage(apache.URL, apache.Username, apache.Password, domain.TypeWebDAV),
		"nextcloud": openStorage(nc.DAVURL, nc.LoginName, nc.Password, domain.TypeNextcloud),
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if err := s.Upload(context.Background(), "/file.txt", bytes.NewReader([]byte("x")), 1, domain.UploadMeta{}); err != nil {
				t.Fatal(err)
			}
			_, err := s.List(context.Background(), "/file.txt")
			wantError(t, err, domain.EINVALID, "/file.txt is a file, not a folder")
			err = s.MkdirAll(context.Background(), "/file.txt")
			wantError(t, err, domain.ECONFLICT, "/file.txt is a file, not a folder")
			// Servers differ (400, 405, 409, or a 405 taken for success by
			// gowebdav), but none may read as success.
			if err := s.MkdirAll(context.Background(), "/file.txt/sub"); !domain.IsRemote(err) {
				t.Fatalf("MkdirAll below a file: %v, want a remote error", err)
			}
			err = s.Upload(context.Background(), "/file.txt/sub.jpg", bytes.NewReader([]byte("x")), 1, domain.UploadMeta{})
			if !domain.IsRemote(err) {
				t.Fatalf("Upload below a file: %v, want a remote error", err)
			}
		})
	}
}

func TestOpenRefusesBadSettings(t *testing.T) {
	c := webdav.NewConnector(nil)
	_, err := c.Open(domain.Credentials{URL: "https://example.com/dav/", CACert: "-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n"}, domain.TypeWebDAV)
	wantError(t, err, domain.EINVALID, "ca_cert: no PEM certificate found")
	if _, err := c.Open(domain.Credentials{URL: "https://example.com/dav/"}, "ftp"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Open with type ftp: %v, want EINVALID", err)
	}
	if _, err := c.Open(domain.Credentials{URL: "ftp://example.com/"}, domain.TypeWebDAV); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Open of an ftp URL: %v, want EINVALID", err)
	}
}
