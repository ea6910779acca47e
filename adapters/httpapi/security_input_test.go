package httpapi_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoginRateLimitedPerClient: five wrong passwords from one address
// get that address 429 EUNAVAILABLE with Retry-After; X-Forwarded-For is
// ignored unless TrustProxy is on, and then tells clients apart.
func TestLoginRateLimitedPerClient(t *testing.T) {
	for _, trust := range []bool{false, true} {
		t.Run(fmt.Sprintf("trust proxy %v", trust), func(t *testing.T) {
			s := newSecAPI(t, trust)
			wrong := func(xff string) (int, string, string) {
				return s.secSendBody("POST", "/api/v1/session", `{"password":"guess"}`, map[string]string{"X-Forwarded-For": xff})
			}
			for i := range 5 {
				if st, code, _ := wrong(fmt.Sprintf("203.0.113.%d", i)); st != 401 || code != "EUNAUTHORIZED" {
					t.Fatalf("wrong password %d: %d %s", i, st, code)
				}
			}
			st, code, raw := wrong("203.0.113.99")
			if trust {
				if st != 401 {
					t.Fatalf("a sixth address behind the proxy: %d %s, want 401 (its own count)", st, raw)
				}
				st, code, raw = wrong("203.0.113.0") // second failure of that address
				for range 4 {
					st, code, raw = wrong("203.0.113.0")
				}
			}
			if st != 429 || code != "EUNAVAILABLE" || !strings.Contains(raw, "try again in") {
				t.Fatalf("after five failures: %d %s, want 429 EUNAVAILABLE", st, raw)
			}
			if ra := s.lastHeader.Get("Retry-After"); ra != "60" {
				t.Fatalf("Retry-After %q, want 60", ra)
			}
			// The right password is refused too while the address waits...
			if st, _, _ := s.secSendBody("POST", "/api/v1/session", `{"password":"admin-pw"}`, map[string]string{"X-Forwarded-For": "203.0.113.0"}); st != 429 {
				t.Fatalf("right password while throttled: %d", st)
			}
			// ...and accepted once the minute has passed.
			s.clock.Advance(time.Minute)
			if st, _, raw := s.secSendBody("POST", "/api/v1/session", `{"password":"admin-pw"}`, map[string]string{"X-Forwarded-For": "203.0.113.0"}); st != 200 {
				t.Fatalf("after a minute: %d %s", st, raw)
			}
		})
	}
}

// badInputs are JSON bodies every JSON endpoint must refuse with 400
// EINVALID and a message that contains want (a field's name, or what is
// wrong with the body as a whole).
var badInputs = []struct{ name, body, want string }{
	{"unknown field", `{"no_such_field": 1}`, `unknown field "no_such_field"`},
	{"not an object", `[1, 2]`, "must be a JSON object"},
	{"a string", `"x"`, "must be a JSON object"},
	{"trailing data", `{} {}`, "data after"},
	{"broken", `{"a":`, "not valid JSON"},
	{"deep nesting", strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40), "nested more than"},
	{"deep list", `{"x":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`, "x" + strings.Repeat("[0]", 15)},
	{"1 MB field name", `{"` + strings.Repeat("k", 1_000_000) + `": 1}`, "field name of 1000000 bytes"},
}

// endpoint is a JSON endpoint with the fields of its own bad inputs.
type endpoint struct {
	method, path string
	// fieldCases are bodies with a bad value in a real field: wrong type,
	// huge number, 1 MB text, negative count. The third string is the
	// field the message must name.
	fieldCases [][3]string
}

var megabyte = strings.Repeat("é", 500_000) // 1 MB of UTF-8, under the body limit

var jsonEndpoints = []endpoint{
	{"POST", "/api/v1/session", [][3]string{
		{"wrong type", `{"password": 12}`, "password: expected a string"},
		{"1 MB", `{"password": "` + megabyte + `"}`, "password: the text is 1000000 bytes"},
	}},
	{"POST", "/api/v1/accounts", [][3]string{
		{"wrong type", `{"url": ["x"]}`, "url: expected a string"},
		{"bool as string", `{"sync_enabled": "yes"}`, "sync_enabled: expected true or false"},
		{"10^30", `{"timeout": 1e30}`, "timeout: 1e30 is not a whole number"},
		{"10^30 written out", `{"retry_limit": 1000000000000000000000000000000}`, "retry_limit: 1000000000000000000000000000000 is not a whole number"},
		{"fraction", `{"sync_interval": 1.5}`, "sync_interval: 1.5 is not a whole number"},
		{"negative", `{"url":"dav.example.com","username":"bob","password":"hunter2","timeout": -1}`, "timeout: must be a number of seconds"},
		{"1 MB", `{"name": "` + megabyte + `"}`, "name: the text is 1000000 bytes"},
	}},
	{"PUT", "/api/v1/accounts/1", [][3]string{
		{"wrong type", `{"name": {}}`, "name: expected a string"},
		{"too many retries", `{"retry_limit": 1000000}`, "retry_limit: must be between"},
		{"negative retries", `{"retry_limit": -3}`, "retry_limit: must be between"},
		{"1 MB", `{"ca_cert": "` + megabyte + `"}`, "ca_cert: the text is 1000000 bytes"},
		{"huge interval", `{"sync_interval": 9223372036854775807}`, "sync_interval: must be a number of seconds"},
	}},
	{"POST", "/api/v1/accounts/1/folders", [][3]string{
		{"wrong type", `{"path": 1}`, "path: expected a string"},
		{"1 MB", `{"path": "/` + megabyte + `"}`, "path: the text is"},
	}},
	{"POST", "/api/v1/login-flows", [][3]string{
		{"wrong type", `{"url": true}`, "url: expected a string"},
		{"10^30", `{"url": "x", "timeout": 1e30}`, "timeout: 1e30 is not a whole number"},
		{"negative", `{"url": "x", "timeout": -5}`, "timeout: must be a number of seconds"},
	}},
	{"POST", "/api/v1/accounts/1/upload", [][3]string{
		{"wrong type", `{"photos": "all"}`, "photos: expected a list of whole numbers"},
		{"wrong element", `{"photos": [1, "2"]}`, "photos: expected a whole number"},
		{"10^30 id", `{"photos": [1e30]}`, "photos: 1e30 is not a whole number"},
		{"negative days", `{"all": true, "expire_days": -1}`, "expire_days"},
		{"10^30 days", `{"all": true, "expire_days": 1e30}`, "expire_days: 1e30 is not a whole number"},
		{"nested unknown", `{"all": true, "share": {"pasword": "x"}}`, `unknown field "pasword"`},
		{"1 MB", `{"all": true, "share": {"password": "` + megabyte + `"}}`, "share.password: the text is 1000000 bytes"},
	}},
	{"POST", "/api/v1/accounts/1/sync", [][3]string{
		{"wrong type", `{"dry_run": "yes"}`, "dry_run: expected true or false"},
	}},
	{"POST", "/api/v1/accounts/1/files/retry", [][3]string{
		{"wrong type", `{"paths": "a.jpg"}`, "paths: expected a list of strings"},
		{"1 MB", `{"paths": ["a.jpg", "` + megabyte + `"]}`, "paths[1]: the text is 1000000 bytes"},
	}},
	{"POST", "/api/v1/versions/20261207T100000000000Z-0123456789ab/restore", [][3]string{
		{"a field", `{"path": "x.jpg"}`, `unknown field "path"`},
	}},
	{"POST", "/api/v1/accounts/1/files/restore", [][3]string{
		{"wrong type", `{"paths": [1]}`, "paths: expected a string"},
	}},
}

// TestBadJSONRefused sends every bad body to every JSON endpoint, and the
// endpoint's own bad field values, and wants 400 EINVALID with a message
// that says what is wrong and where. Nothing is created or changed.
func TestBadJSONRefused(t *testing.T) {
	s := newSecAPI(t, false)
	s.login()
	tried := 0
	for _, ep := range jsonEndpoints {
		cases := ep.fieldCases
		for _, b := range badInputs {
			cases = append(cases, [3]string{b.name, b.body, b.want})
		}
		for _, c := range cases {
			tried++
			st, code, raw := s.secSendBody(ep.method, ep.path, c[1], nil)
			if st != 400 || code != "EINVALID" || !strings.Contains(raw, c[2]) {
				t.Errorf("%s %s, %s: %d %.300s; want 400 EINVALID saying %q", ep.method, ep.path, c[0], st, raw, c[2])
			}
		}
	}
	// Query parameters: page sizes and offsets out of range.
	for _, q := range []string{"count=-1", "count=0", "count=100000000", "count=1e30", "offset=-1", "offset=99999999999999999999999", "count=abc"} {
		tried++
		st, code, raw := s.secSendBody("GET", "/api/v1/photos?"+q, "", nil)
		name, _, _ := strings.Cut(q, "=")
		if st != 400 || code != "EINVALID" || !strings.Contains(raw, name+":") {
			t.Errorf("GET /api/v1/photos?%s: %d %.200s, want 400 EINVALID about %s", q, st, raw, name)
		}
	}
	var list struct{ Accounts []struct{ Name string } }
	if st, _ := s.do("GET", "/api/v1/accounts", "", &list); st != 200 || len(list.Accounts) != 1 || list.Accounts[0].Name == "" || len(list.Accounts[0].Name) > 100 {
		t.Fatalf("accounts after the bad inputs: %+v", list)
	}
	t.Logf("%d bad inputs refused", tried)
	secReport(t, "API: bad JSON bodies and query parameters, each refused with EINVALID naming the field", fmt.Sprintf("%d inputs on %d endpoints", tried, len(jsonEndpoints)+1))
}

// secReport appends "| test | figure |" to the Markdown file named by
// PHOTOSYNC_SOAK_REPORT, when it is set.
func secReport(t *testing.T, test, figure string) {
	t.Helper()
	name := os.Getenv("PHOTOSYNC_SOAK_REPORT")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("soak report: %v", err)
		return
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "| %s | %s |\n", test, figure); err != nil {
		t.Errorf("soak report: %v", err)
	}
}
