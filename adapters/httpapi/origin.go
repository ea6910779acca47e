package httpapi

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/domain"
)

// sameOrigin refuses state-changing requests (POST, PUT, PATCH, DELETE)
// that a browser sent on behalf of another site. The session cookie is
// SameSite=Strict, but "site" is wider than "origin": another program on
// the same machine or domain (http://127.0.0.1:8080, say) is same-site and
// its pages would get the cookie attached. So a request that carries the
// cookie, or any Origin at all, must come from this very origin:
//
//   - its Origin header names the host the request was sent to (Host, or
//     X-Forwarded-Host behind a trusted proxy);
//   - without Origin, Sec-Fetch-Site must be same-origin (browsers send
//     Origin on every fetch POST, so this is a fallback);
//   - with neither, a cookie-authenticated change is refused: no browser
//     sends that, and nothing else should use the cookie.
//
// Requests with a bearer token (the CLI, scripts) are not affected: a
// browser never adds that header by itself, so another site cannot forge
// one. A request with no credentials and no Origin (a script signing in)
// passes. EFORBIDDEN.
func sameOrigin(trustProxy bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				return next(c)
			}
			_, err := r.Cookie(CookieName)
			hasCookie := err == nil
			origin := r.Header.Get("Origin")
			switch {
			case origin != "":
				if !originMatches(origin, requestHosts(r, trustProxy)) {
					return domain.Errorf(domain.EFORBIDDEN, "cross-origin request refused: Origin %q is not this server", origin)
				}
			case r.Header.Get("Sec-Fetch-Site") != "":
				if site := r.Header.Get("Sec-Fetch-Site"); site != "same-origin" {
					return domain.Errorf(domain.EFORBIDDEN, "cross-origin request refused: Sec-Fetch-Site is %q", site)
				}
			case hasCookie:
				return domain.Errorf(domain.EFORBIDDEN, "a change signed in by cookie needs an Origin header from this server; API clients use Authorization: Bearer")
			}
			return next(c)
		}
	}
}

// requestHosts returns the host names (with port) the client may have
// sent the request to.
func requestHosts(r *http.Request, trustProxy bool) []string {
	hosts := []string{r.Host}
	if trustProxy && fromProxy(r.RemoteAddr) {
		for _, h := range strings.Split(r.Header.Get("X-Forwarded-Host"), ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// originMatches reports whether an Origin header (scheme://host[:port], or
// "null" from sandboxed pages) names one of hosts. The scheme is not
// compared: behind a proxy that ends TLS the server sees http while the
// browser says https.
func originMatches(origin string, hosts []string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil {
		return false
	}
	for _, h := range hosts {
		if strings.EqualFold(u.Host, h) || strings.EqualFold(u.Host, withoutDefaultPort(h, u.Scheme)) || strings.EqualFold(withoutDefaultPort(u.Host, u.Scheme), h) {
			return true
		}
	}
	return false
}

// withoutDefaultPort drops :80 for http and :443 for https, which
// browsers leave out of Origin but a Host header may carry.
func withoutDefaultPort(host, scheme string) string {
	if scheme == "http" {
		return strings.TrimSuffix(host, ":80")
	}
	return strings.TrimSuffix(host, ":443")
}

// fromProxy reports whether the socket's peer may be a reverse proxy: an
// address on this machine or the private network, as Echo's trusted
// ranges for X-Forwarded-For.
func fromProxy(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}
