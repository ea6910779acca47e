package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestErrorCodeAndMessage(t *testing.T) {
	base := domain.Errorf(domain.ENOTFOUND, "account %d not found", 7)
	wrapped := fmt.Errorf("load: %w", base)
	remote := domain.RemoteErrorf(domain.EUNAUTHORIZED, "the server rejected the user name or password")
	tests := []struct {
		err       error
		code, msg string
		remote    bool
	}{
		{nil, "", "", false},
		{base, domain.ENOTFOUND, "account 7 not found", false},
		{wrapped, domain.ENOTFOUND, "account 7 not found", false},
		{errors.New("sql: no such table: x"), domain.EINTERNAL, "internal error", false},
		{fmt.Errorf("list: %w", remote), domain.EUNAUTHORIZED, "the server rejected the user name or password", true},
	}
	for _, tt := range tests {
		if got := domain.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := domain.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
		if got := domain.IsRemote(tt.err); got != tt.remote {
			t.Errorf("IsRemote(%v) = %v", tt.err, got)
		}
	}
	cause := errors.New("dial tcp: refused")
	e := &domain.Error{Code: domain.EUNAVAILABLE, Message: "connection refused", Err: cause}
	if !errors.Is(e, cause) || e.Error() != "connection refused" {
		t.Fatalf("Unwrap/Error: %v", e)
	}
}
