// Package domain holds photosync's entities and rules: plain types and pure
// functions with no dependency beyond the standard library, so that the same
// rules run in the server, on Lambda and in WebAssembly.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. Every error that reaches a person carries one of them; the
// inbound adapters map them to HTTP status codes or exit codes in one table.
const (
	EINVALID      = "EINVALID"      // the input breaks a rule; fixing it helps
	ENOTFOUND     = "ENOTFOUND"     // the thing asked for does not exist
	ECONFLICT     = "ECONFLICT"     // the request clashes with the current state
	EUNAUTHORIZED = "EUNAUTHORIZED" // credentials missing or rejected
	EFORBIDDEN    = "EFORBIDDEN"    // credentials accepted but not allowed
	EUNAVAILABLE  = "EUNAVAILABLE"  // a dependency cannot be reached now; retrying may help
	EINTERNAL     = "EINTERNAL"     // a bug or an unexpected failure
)

// Error is photosync's one error type. Message is written for a person and
// never contains a secret. Remote marks errors that describe a remote server
// (its answer or its reachability) rather than photosync's own state, so that
// the HTTP layer does not answer a remote server's 401 with a 401 of its own.
type Error struct {
	Code    string
	Message string
	Remote  bool
	Err     error // the underlying cause, for logs; may be nil
}

// Error returns the message, with the cause when there is one.
func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RemoteErrorf returns an Error about a remote server.
func RemoteErrorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Remote: true}
}

// ErrorCode returns the code of the first Error in err's chain, "" for nil
// and EINTERNAL for errors that are not Errors.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the person-readable message of the first Error in
// err's chain, and "internal error" for anything else: unknown errors may
// carry SQL, paths or stack details that must not reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// IsRemote reports whether err is an Error about a remote server.
func IsRemote(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Remote
}
