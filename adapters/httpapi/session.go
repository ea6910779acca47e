package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
)

// CookieName is the session cookie.
const CookieName = "photosync_session"

func handleLogin(auth *app.Auth) echo.HandlerFunc {
	type request struct {
		Password string `json:"password"`
	}
	type response struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	return func(c echo.Context) error {
		var req request
		if err := decode(c, &req); err != nil {
			return err
		}
		token, expires, err := auth.Login(c.Request().Context(), c.RealIP(), req.Password)
		if err != nil {
			return err
		}
		c.SetCookie(&http.Cookie{
			Name: CookieName, Value: token, Path: "/", Expires: expires,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: isTLS(c),
		})
		return c.JSON(http.StatusOK, response{Token: token, ExpiresAt: expires.UTC()})
	}
}

func handleLogout(auth *app.Auth) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := auth.Logout(c.Request().Context(), sessionToken(c)); err != nil {
			return err
		}
		c.SetCookie(&http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: isTLS(c)})
		return c.NoContent(http.StatusNoContent)
	}
}

// requireSession lets a request through only with a valid session, from
// the Authorization header (API clients) or the cookie (the web UI).
func requireSession(auth *app.Auth) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := auth.Authenticate(c.Request().Context(), sessionToken(c)); err != nil {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="photosync"`)
				return err
			}
			return next(c)
		}
	}
}

func sessionToken(c echo.Context) string {
	if h := c.Request().Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(CookieName); err == nil {
		return ck.Value
	}
	return ""
}

func isTLS(c echo.Context) bool {
	return c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https"
}
