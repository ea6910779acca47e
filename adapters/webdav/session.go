package webdav

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
)

// sessionJar keeps the cookies one account's client is given, in memory
// only: never stored, never logged. Nextcloud answers a Basic login with
// a session cookie, and a request that brings it back is signed in by the
// session instead of a check of the password against its hash (bcrypt,
// 50-100 ms of the server's time each): a run that keeps it pays the
// check once or twice instead of once a request. Basic credentials are
// still sent with every request, so a session the server dropped costs
// nothing but that check.
type sessionJar struct {
	mu  sync.Mutex
	jar *cookiejar.Jar
}

func newSessionJar() *sessionJar {
	j, _ := cookiejar.New(nil) // fails only with options
	return &sessionJar{jar: j}
}

// cookies returns the cookies for u.
func (s *sessionJar) cookies(u *url.URL) []*http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jar.Cookies(u)
}

// keep stores the cookies an answer from u sets.
func (s *sessionJar) keep(u *url.URL, resp *http.Response) {
	if cs := resp.Cookies(); len(cs) > 0 {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.jar.SetCookies(u, cs)
	}
}

// drop forgets every cookie, after the server refused a request that
// brought them.
func (s *sessionJar) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jar, _ = cookiejar.New(nil)
}

// send sends r through next with the session's cookies, and keeps the
// cookies of the answer. A 401 to a request that brought cookies drops
// them, and the request is sent again without (when its body can be
// sent again): the credentials sign it in afresh.
func (s *sessionJar) send(next http.RoundTripper, r *http.Request) (*http.Response, error) {
	if s == nil {
		return next.RoundTrip(r)
	}
	sent := s.cookies(r.URL)
	for _, c := range sent {
		r.AddCookie(c)
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized && len(sent) > 0 {
		s.drop()
		if again, ok := withoutCookies(r); ok {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if resp, err = next.RoundTrip(again); err != nil {
				return nil, err
			}
		}
	}
	s.keep(r.URL, resp)
	return resp, nil
}

// withoutCookies returns r to be sent again without its cookies, false
// when its body cannot be read again.
func withoutCookies(r *http.Request) (*http.Request, bool) {
	again := r.Clone(r.Context())
	again.Header.Del("Cookie")
	if r.Body != nil && r.Body != http.NoBody {
		if r.GetBody == nil {
			return nil, false
		}
		b, err := r.GetBody()
		if err != nil {
			return nil, false
		}
		again.Body = b
	}
	return again, true
}
