package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/domain"
)

// Limits on a JSON body beyond its size (maxBodyBytes): no field's text
// may be longer than maxStringBytes (a CA certificate chain is the longest
// legitimate one), and objects and lists nest at most maxDepth deep.
const (
	maxStringBytes = 64 << 10
	maxDepth       = 16
)

// decode reads a JSON body into v, refusing unknown fields (a misspelt
// field should not be silently ignored), values of the wrong type or out
// of range, overlong text, deep nesting and trailing data. Every refusal is
// EINVALID with a message that names the field, as "share.password" or
// "paths[2]".
func decode(c echo.Context, v any) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return domain.Errorf(domain.EINVALID, "the request body cannot be read: %v", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return domain.Errorf(domain.EINVALID, "the request body is empty; send a JSON object")
	}
	if err := checkJSON(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.EINVALID, "the request body has data after the JSON object")
	}
	return nil
}

// jsonError turns an error of encoding/json into an EINVALID for a person.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EINVALID, "the request body is not valid JSON (it ends too early)")
	case errors.As(err, &syn):
		return domain.Errorf(domain.EINVALID, "the request body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return domain.Errorf(domain.EINVALID, "the request body must be a JSON object, not %s", typ.Value)
		}
		if num, ok := strings.CutPrefix(typ.Value, "number "); ok && isInt(typ.Type) {
			lo, hi := intRange(typ.Type)
			return domain.Errorf(domain.EINVALID, "%s: %s is not a whole number from %d to %d", typ.Field, num, lo, hi)
		}
		return domain.Errorf(domain.EINVALID, "%s: expected %s, not %s", typ.Field, typeName(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return domain.Errorf(domain.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return domain.Errorf(domain.EINVALID, "the request body cannot be read: %v", err)
}

// checkJSON walks the tokens of raw and refuses text longer than
// maxStringBytes and nesting deeper than maxDepth, naming the field.
func checkJSON(raw []byte) error {
	type frame struct {
		object    bool
		key       string
		expectKey bool
		index     int
	}
	var stack []frame
	path := func() string {
		var sb strings.Builder
		for _, f := range stack {
			if f.object {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			} else {
				fmt.Fprintf(&sb, "[%d]", f.index)
			}
		}
		if sb.Len() == 0 {
			return "the request body"
		}
		return sb.String()
	}
	// valueDone moves the enclosing object or list past a value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].expectKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return jsonError(err)
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxDepth {
					return domain.Errorf(domain.EINVALID, "%s: nested more than %d levels deep", path(), maxDepth)
				}
				stack = append(stack, frame{object: t == '{', expectKey: true})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = t, false
				if len(t) > 256 {
					return domain.Errorf(domain.EINVALID, "the request body has a field name of %d bytes; no field has such a name", len(t))
				}
				continue
			}
			if len(t) > maxStringBytes {
				return domain.Errorf(domain.EINVALID, "%s: the text is %d bytes long, more than the %d allowed", path(), len(t), maxStringBytes)
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func intRange(t reflect.Type) (int64, uint64) {
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
		return 0, uint64(1)<<t.Bits() - 1
	}
	return -1 << (t.Bits() - 1), uint64(1)<<(t.Bits()-1) - 1
}

// typeName says what JSON a Go type takes.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(typeName(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	if isInt(t) {
		return "a whole number"
	}
	return t.String()
}

// idParam reads a positive integer path parameter.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "%s %q not found", name, c.Param(name))
	}
	return id, nil
}
