package infra

import (
	"strings"
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
		c.IndexInterval != 5*time.Minute || c.ChunkSize != 64<<20 || c.DatabaseURL != "" ||
		c.LeaseTTL != 15*time.Second || c.SchedulerTick != time.Minute || c.TrustProxy || c.DownloadStreams != 1 {
		t.Fatalf("defaults: %+v", c)
	}
	for k, v := range map[string]string{
		"PHOTOSYNC_CHUNK_SIZE":       "1MiB",
		"PHOTOSYNC_INDEX_INTERVAL":   "soon",
		"PHOTOSYNC_LOG_FORMAT":       "xml",
		"PHOTOSYNC_DATABASE_URL":     "mysql://user:pw@db/photosync",
		"PHOTOSYNC_LEASE_TTL":        "100ms",
		"PHOTOSYNC_SCHEDULER_TICK":   "2h",
		"PHOTOSYNC_TRUST_PROXY":      "maybe",
		"PHOTOSYNC_DOWNLOAD_STREAMS": "0",
	} {
		env = map[string]string{k: v}
		c := LoadConfig(get)
		if err := c.validate(); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
	for _, bad := range []string{"mysql://user:s3cret@db/photosync", "postgres://user:s3cret@/photosync", "user:s3cret@db"} {
		env = map[string]string{"PHOTOSYNC_DATABASE_URL": bad}
		c := LoadConfig(get)
		if err := c.validate(); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("PHOTOSYNC_DATABASE_URL=%s: %v; want an error that does not repeat the password", bad, err)
		}
	}
	for _, good := range []string{"postgres://user:pw@db.example.com:5432/photosync?sslmode=require", "postgresql://db/photosync",
		"postgres:///photosync?host=/run/postgresql"} {
		env = map[string]string{"PHOTOSYNC_DATABASE_URL": good, "PHOTOSYNC_LEASE_TTL": "3s", "PHOTOSYNC_SCHEDULER_TICK": "1s"}
		c := LoadConfig(get)
		if err := c.validate(); err != nil || c.DatabaseURL != good || c.LeaseTTL != 3*time.Second || c.SchedulerTick != time.Second {
			t.Errorf("PHOTOSYNC_DATABASE_URL=%s: %+v, %v", good, c, err)
		}
	}
	env = map[string]string{"PHOTOSYNC_CHUNK_SIZE": "64M", "PHOTOSYNC_INDEX_INTERVAL": "0", "PHOTOSYNC_TRUST_PROXY": "true",
		"PHOTOSYNC_DOWNLOAD_STREAMS": "4"}
	c = LoadConfig(get)
	if err := c.validate(); err != nil || c.ChunkSize != 64<<20 || c.IndexInterval != 0 || !c.TrustProxy || c.DownloadStreams != 4 {
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
