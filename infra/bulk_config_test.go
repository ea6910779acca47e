package infra

import "testing"

// TestBulkUploadSetting: PHOTOSYNC_BULK_UPLOAD is on by default, off when
// asked, and anything else is refused.
func TestBulkUploadSetting(t *testing.T) {
	for v, want := range map[string]bool{"": true, "off": false, "OFF": false, "on": true, "ON": true} {
		c := LoadConfig(func(k string) string {
			if k == "PHOTOSYNC_BULK_UPLOAD" {
				return v
			}
			return ""
		})
		if err := c.validate(); err != nil || c.BulkUpload != want {
			t.Errorf("PHOTOSYNC_BULK_UPLOAD=%q: %v, %v; want %v", v, c.BulkUpload, err, want)
		}
	}
	c := LoadConfig(func(k string) string {
		if k == "PHOTOSYNC_BULK_UPLOAD" {
			return "auto"
		}
		return ""
	})
	if err := c.validate(); err == nil {
		t.Error("PHOTOSYNC_BULK_UPLOAD=auto accepted")
	}
}
