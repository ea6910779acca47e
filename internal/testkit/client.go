package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Client sends requests to an HTTP API the way its JSON clients do: a
// JSON body, the session's bearer token, a JSON answer.
type Client struct {
	T     testing.TB
	URL   string // the server's base URL, without a trailing slash
	Token string // sent as "Authorization: Bearer <Token>" when not ""
	// Header is added to every request (nil for none).
	Header http.Header
	// Client sends the requests; nil is http.DefaultClient.
	Client *http.Client
}

// Do sends method path with body and returns the answer with its whole
// body read. A body of type string or []byte is sent as it is, with
// Content-Type application/json when not empty; any other non-nil body is
// encoded as JSON. A request that cannot be sent fails the test.
func (c *Client) Do(method, path string, body any) (*http.Response, []byte) {
	c.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		if b != "" {
			r = bytes.NewReader([]byte(b))
		}
	case []byte:
		if len(b) > 0 {
			r = bytes.NewReader(b)
		}
	default:
		data, err := json.Marshal(body)
		if err != nil {
			c.T.Fatalf("%s %s: %v", method, path, err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.URL+path, r)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return res, raw
}

// Call sends method path with body (nil for none, see Do), decodes a
// non-empty answer into out when out is not nil, and returns the status.
// An answer that is not the JSON out expects fails the test.
func (c *Client) Call(method, path string, body, out any) int {
	c.T.Helper()
	res, raw := c.Do(method, path, body)
	if out != nil && len(raw) > 0 {
		Decode(c.T, method+" "+path, raw, out)
	}
	return res.StatusCode
}

// Decode decodes the JSON answer raw of what into out, and fails the test
// with the answer (at most 2,000 bytes of it) when it is not JSON of that
// shape.
func Decode(t testing.TB, what string, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: %v: %.2000s", what, err, raw)
	}
}
