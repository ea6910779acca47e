package webdav

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.AppPasswordRevoker = (*Client)(nil)

// RevokeAppPassword asks Nextcloud to revoke the app password the client
// signs in with: DELETE <base>/ocs/v2.php/core/apppassword, signed in with
// it, as the Login Flow document says a client does when an account is
// removed. It answers true when the server revoked it, and false, nil when
// there was nothing to revoke: the client is not a Nextcloud one, or it
// signs in with the user's own password (Nextcloud answers 403). Errors as
// the other operations; EUNAUTHORIZED when the server no longer accepts
// the password (it was revoked already).
func (c *Client) RevokeAppPassword(ctx context.Context) (bool, error) {
	if c.typ != domain.TypeNextcloud {
		return false, nil
	}
	var answer ocsAnswer
	u, t := c.ocsURL("ocs/v2.php/core/apppassword"), c.target("revoke the app password at", c.endpoint.Host)
	code, err := c.callJSON(ctx, http.MethodDelete, u, nil, true, ocsHeader(), t, &answer)
	switch {
	case err != nil:
		return false, err
	case code == http.StatusOK:
		return true, nil
	case code == http.StatusForbidden:
		return false, nil
	default:
		return false, t.statusError(http.MethodDelete, u.Redacted(), code, nil)
	}
}

// ocsAnswer is the envelope of an OCS answer, with the data left raw.
type ocsAnswer struct {
	OCS struct {
		Meta struct {
			Status     string `json:"status"`
			StatusCode int    `json:"statuscode"`
			Message    string `json:"message"`
		} `json:"meta"`
		Data json.RawMessage `json:"data"`
	} `json:"ocs"`
}

// ocsURL is the URL of an OCS endpoint of the client's Nextcloud, asking
// for JSON.
func (c *Client) ocsURL(rel string) *url.URL {
	u := nextcloudBase(c.endpoint).ResolveReference(&url.URL{Path: rel})
	u.RawQuery = "format=json"
	return u
}

// ocsHeader is what every OCS request carries: Nextcloud refuses an OCS
// call without OCS-APIRequest as a possible cross-site request.
func ocsHeader() http.Header {
	return http.Header{"Ocs-Apirequest": {"true"}}
}

// serverMessage makes a message from a server fit to show: printable,
// one line, at most 200 characters.
func serverMessage(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '\n' }), " ")
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
