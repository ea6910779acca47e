package webdav_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

// TestNameTooLongForNextcloud: a 244-byte name gets a 500 from Nextcloud
// (its part file's name passes 255 bytes); the error says so, as EINVALID
// (not "server busy"), and tells callers with NameTooLong.
func TestNameTooLongForNextcloud(t *testing.T) {
	n := davtest.StartNextcloud(t)
	c := chunkedClient(t, n)
	name := "/" + strings.Repeat("n", 240) + ".jpg"
	err := c.Upload(context.Background(), name, bytes.NewReader([]byte("x")), 1, domain.UploadMeta{})
	var ntl interface{ NameTooLong() bool }
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "too long") || !errors.As(err, &ntl) {
		t.Fatalf("Upload of a %d-byte name: %v (%s), want EINVALID naming the length", len(name)-1, err, domain.ErrorCode(err))
	}
	ok := "/" + strings.Repeat("n", davtest.MaxUploadNameBytes-4) + ".jpg"
	if err := c.Upload(context.Background(), ok, bytes.NewReader([]byte("x")), 1, domain.UploadMeta{}); err != nil {
		t.Fatalf("Upload of a %d-byte name: %v", len(ok)-1, err)
	}
}
