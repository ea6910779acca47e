package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/domain"
)

// decode reads a JSON body into v, refusing unknown fields (a misspelt
// field should not be silently ignored) and trailing data.
func decode(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			return he
		case errors.Is(err, io.EOF):
			return domain.Errorf(domain.EINVALID, "the request body is empty; send a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return domain.Errorf(domain.EINVALID, "the request body is not valid JSON (it ends too early)")
		}
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return domain.Errorf(domain.EINVALID, "the request body is not valid JSON (at byte %d)", syn.Offset)
		case errors.As(err, &typ):
			return domain.Errorf(domain.EINVALID, "%s: expected %s", typ.Field, typ.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return domain.Errorf(domain.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return domain.Errorf(domain.EINVALID, "the request body cannot be read: %v", err)
	}
	if dec.More() {
		return domain.Errorf(domain.EINVALID, "the request body has data after the JSON object")
	}
	return nil
}

// idParam reads a positive integer path parameter.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "%s %q not found", name, c.Param(name))
	}
	return id, nil
}
