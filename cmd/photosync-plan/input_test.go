package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBadInput checks that input the planner cannot use is refused with a
// message that says what is wrong, exit status 2 and nothing on stdout.
func TestBadInput(t *testing.T) {
	const ok = `"now": "2026-05-01T12:00:00Z", "settings": {"folder": "/Photos", "download": true}`
	tests := []struct {
		name, in, want string
		args           []string
	}{
		{name: "empty", in: "", want: "no input"},
		{name: "not JSON", in: "remote: []", want: "read the input"},
		{name: "truncated", in: `{` + ok, want: "read the input"},
		{name: "two documents", in: `{` + ok + `} {}`, want: "more after the JSON document"},
		{name: "unknown field", in: `{` + ok + `, "remote": [{"path": "/Photos/a.jpg", "sise": 3}]}`, want: `unknown field "sise"`},
		{name: "wrong type", in: `{` + ok + `, "remote": [{"path": "/Photos/a.jpg", "size": "3"}]}`, want: "size"},
		{name: "no settings", in: `{"now": "2026-05-01T12:00:00Z"}`, want: `no "settings"`},
		{name: "no now", in: `{"settings": {"folder": "/Photos"}}`, want: `no "now"`},
		{name: "bad time", in: `{"now": "yesterday", "settings": {}}`, want: "yesterday"},
		{name: "folder climbs", in: `{"now": "2026-05-01T12:00:00Z", "settings": {"folder": "/a/../b"}}`, want: "settings.folder"},
		{name: "remote without path", in: `{` + ok + `, "remote": [{"size": 3}]}`, want: "remote[0]: the path is missing"},
		{name: "remote with a bad checksum", in: `{` + ok + `, "remote": [{"path": "/Photos/a.jpg", "checksum": "SHA1:abc"}]}`, want: "remote[0].checksum: checksum \"SHA1:abc\": a SHA1 digest is 40 lower-case hex digits"},
		{name: "local without path", in: `{` + ok + `, "local": [{"size": 3}]}`, want: "local[0]: the path is missing"},
		{name: "half a pair", in: `{` + ok + `, "pairs": [{"remote_path": "/Photos/a.jpg"}]}`, want: "pairs[0]"},
		{name: "bad direction", in: `{` + ok + `, "failures": [{"direction": "sideways"}]}`, want: `"sideways"`},
		{name: "an argument", args: []string{"photosync-plan", "input.json"}, in: `{` + ok + `}`, want: "standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				args = []string{"photosync-plan"}
			}
			var out bytes.Buffer
			err := run(args, strings.NewReader(tt.in), &out)
			if err == nil {
				t.Fatalf("accepted; printed %s", out.Bytes())
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q on bad input", out.Bytes())
			}
		})
	}
}

// TestEmptyInputPlansNothing checks the smallest valid document and that an
// empty plan is printed as an empty list, not null.
func TestEmptyInputPlansNothing(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"photosync-plan"}, strings.NewReader(`{"now": "2026-05-01T12:00:00Z", "settings": {}}`), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "{\n  \"actions\": []\n}\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
