package httpapi

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// statusOf maps error codes to HTTP statuses, in the one table of the API.
// Errors about a remote server use the second column: a WebDAV server's
// 401 is not this API's 401 (which would send the web UI to its sign-in
// page), so the request is answered 422 (the remote refused it) or 502
// (the remote cannot be reached or is failing).
var statusOf = map[string][2]int{
	// code                 local                          remote
	domain.EINVALID:      {http.StatusBadRequest, http.StatusUnprocessableEntity},
	domain.EUNAUTHORIZED: {http.StatusUnauthorized, http.StatusUnprocessableEntity},
	domain.EFORBIDDEN:    {http.StatusForbidden, http.StatusUnprocessableEntity},
	domain.ENOTFOUND:     {http.StatusNotFound, http.StatusUnprocessableEntity},
	domain.ECONFLICT:     {http.StatusConflict, http.StatusConflict},
	domain.EUNAVAILABLE:  {http.StatusServiceUnavailable, http.StatusBadGateway},
	domain.EINTERNAL:     {http.StatusInternalServerError, http.StatusBadGateway},
}

// echoCodes translates Echo's own errors (unknown route, body too large,
// ...) into codes.
var echoCodes = map[int]string{
	http.StatusNotFound:              domain.ENOTFOUND,
	http.StatusMethodNotAllowed:      domain.ENOTFOUND,
	http.StatusRequestEntityTooLarge: domain.EINVALID,
	http.StatusUnsupportedMediaType:  domain.EINVALID,
	http.StatusBadRequest:            domain.EINVALID,
	http.StatusUnauthorized:          domain.EUNAUTHORIZED,
	http.StatusTooManyRequests:       domain.EUNAVAILABLE,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorHandler writes {"error": {"code", "message"}} for every error.
// Internal errors are logged with their detail and shown only as
// "internal error".
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := describe(err)
		// Sign-in throttled: 429 with the wait, so a client knows when
		// to try again rather than that the server is down.
		var tm *app.TooManyAttempts
		if errors.As(err, &tm) {
			status = http.StatusTooManyRequests
			c.Response().Header().Set("Retry-After", strconv.FormatInt(max(int64(math.Ceil(tm.Wait.Seconds())), 1), 10))
		}
		if status >= 500 && !domain.IsRemote(err) {
			log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func describe(err error) (int, errorBody) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, ok := echoCodes[he.Code]
		if !ok {
			code = domain.EINTERNAL
		}
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			msg = "no such route"
		case http.StatusRequestEntityTooLarge:
			msg = "the request body is larger than 1 MiB"
		}
		return he.Code, errorBody{errorDetail{code, msg}}
	}
	code := domain.ErrorCode(err)
	col := 0
	if domain.IsRemote(err) {
		col = 1
	}
	status, ok := statusOf[code]
	if !ok {
		status = statusOf[domain.EINTERNAL]
	}
	return status[col], errorBody{errorDetail{code, domain.ErrorMessage(err)}}
}
