package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// maxSharePasswordLength bounds a share link's password.
const maxSharePasswordLength = 200

// ShareOptions are a person's choices for a public link to an uploaded
// folder (Nextcloud's share type 3).
type ShareOptions struct {
	// Expires is the day the link stops working, at midnight UTC; the zero
	// time for a link that does not expire (unless the server's policy
	// sets a date).
	Expires time.Time
	// Password protects the link when not empty. It is a secret: it goes
	// to the server and nowhere else.
	Password Secret
}

// ParseShareExpiry reads an expiry date written YYYY-MM-DD, the form
// Nextcloud's share API takes; "" is no expiry. EINVALID for anything
// else.
func ParseShareExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "share expiry: write the date as YYYY-MM-DD, not %q", s)
	}
	return t, nil
}

// Normalize checks the options at now: the expiry, cut to its day, must be
// a day after today (UTC), since a link that expires today is expired
// already on Nextcloud; the password must be printable and at most
// maxSharePasswordLength characters. EINVALID naming the field.
func (o *ShareOptions) Normalize(now time.Time) error {
	if !o.Expires.IsZero() {
		y, m, d := o.Expires.Date()
		o.Expires = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		ty, tm, td := now.UTC().Date()
		if !o.Expires.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
			return Errorf(EINVALID, "share expiry: choose a day after today, not %s", o.Expires.Format(time.DateOnly))
		}
	}
	p := string(o.Password)
	if utf8.RuneCountInString(p) > maxSharePasswordLength || !utf8.ValidString(p) || hasControl(p) {
		return Errorf(EINVALID, "share password: at most %d characters and no control characters", maxSharePasswordLength)
	}
	return nil
}

// ExpiryDate is the expiry as the share API takes it, YYYY-MM-DD, or ""
// for none.
func (o ShareOptions) ExpiryDate() string {
	if o.Expires.IsZero() {
		return ""
	}
	return o.Expires.Format(time.DateOnly)
}
