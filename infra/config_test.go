package infra

import (
	"testing"
	"time"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	c := LoadConfig(get)
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2343" || c.DataDir != "./data" || c.Library != "./photos" || c.DownloadFolder != "nextcloud" ||
		c.IndexInterval != 5*time.Minute || c.ChunkSize != 10<<20 {
		t.Fatalf("defaults: %+v", c)
	}
	for k, v := range map[string]string{
		"PHOTOSYNC_CHUNK_SIZE":     "1MiB",
		"PHOTOSYNC_INDEX_INTERVAL": "soon",
		"PHOTOSYNC_LOG_FORMAT":     "xml",
		"PHOTOSYNC_DATABASE_URL":   "postgres://x",
	} {
		env = map[string]string{k: v}
		c := LoadConfig(get)
		if err := c.validate(); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
	env = map[string]string{"PHOTOSYNC_CHUNK_SIZE": "64M", "PHOTOSYNC_INDEX_INTERVAL": "0"}
	c = LoadConfig(get)
	if err := c.validate(); err != nil || c.ChunkSize != 64<<20 || c.IndexInterval != 0 {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10485760": 10 << 20, "10MiB": 10 << 20, "10M": 10 << 20, "1GiB": 1 << 30, " 5 MiB ": 5 << 20, "512K": 512 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ten", "-1", "1TB", "99999999999999999999G"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}
