package lambdafn_test

import (
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/infra/lambdafn"
)

func TestLoadLambdaConfig(t *testing.T) {
	base := map[string]string{
		"PHOTOSYNC_DATA":           "/mnt/photosync/data",
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-secret",
		"PHOTOSYNC_SECRET_KEY":     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		err     string // a part of the error, "" for none
		format  string
		journal sqlite.Journal
		queue   string
	}{
		{"defaults", nil, "", "json", sqlite.JournalDelete, ""},
		{"sync queue", map[string]string{"PHOTOSYNC_SYNC_QUEUE_URL": " https://sqs.eu-west-1.amazonaws.com/123456789012/photosync-sync "}, "", "json", sqlite.JournalDelete,
			"https://sqs.eu-west-1.amazonaws.com/123456789012/photosync-sync"},
		{"queue name only", map[string]string{"PHOTOSYNC_SYNC_QUEUE_URL": "photosync-sync"}, "PHOTOSYNC_SYNC_QUEUE_URL", "", "", ""},
		{"queue without a name", map[string]string{"PHOTOSYNC_SYNC_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/"}, "PHOTOSYNC_SYNC_QUEUE_URL", "", "", ""},
		{"text logs and WAL", map[string]string{"PHOTOSYNC_LOG_FORMAT": "text", "PHOTOSYNC_SQLITE_JOURNAL": "wal"}, "", "text", sqlite.JournalWAL, ""},
		{"no password", map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": ""}, "PHOTOSYNC_ADMIN_PASSWORD must be set", "", "", ""},
		{"no key", map[string]string{"PHOTOSYNC_SECRET_KEY": ""}, "PHOTOSYNC_SECRET_KEY must be set", "", "", ""},
		{"bad journal", map[string]string{"PHOTOSYNC_SQLITE_JOURNAL": "memory"}, "PHOTOSYNC_SQLITE_JOURNAL", "", "", ""},
		{"bad log format", map[string]string{"PHOTOSYNC_LOG_FORMAT": "xml"}, "PHOTOSYNC_LOG_FORMAT", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, lc, err := lambdafn.LoadLambdaConfig(func(k string) string { return env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one about %s", err, tc.err)
				}
				return
			}
			if err != nil || cfg.LogFormat != tc.format || lc.Journal != tc.journal || lc.SyncQueueURL != tc.queue || cfg.DataDir != base["PHOTOSYNC_DATA"] {
				t.Fatalf("config %+v %+v, %v; want log format %s, journal %s", cfg, lc, err, tc.format, tc.journal)
			}
		})
	}
}
