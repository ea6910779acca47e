package webdav

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/studio-b12/gowebdav"

	"github.com/photosync/photosync/domain"
)

// This file translates what can go wrong talking to a server into
// *domain.Error values with Remote set and a message a person can act on.
// The cause stays in Err for the logs. No message or cause ever holds the
// password: credentials travel only in the Authorization header, never in a
// URL.

// StatusError is the cause of an error about a server's answer: the
// request and the status it got, and how long the server asked to wait
// before trying again (its Retry-After header; 0 when it did not say).
type StatusError struct {
	Method     string
	URL        string
	Status     int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s answered %s", e.Method, e.URL, statusText(e.Status))
}

// HTTPStatus returns the HTTP status of the server's answer behind err, and
// 0 when err is not about an answer (a refused connection, a timeout).
func HTTPStatus(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// target says what an operation was about, for messages.
type target struct {
	op        string        // what was being done: "list", "upload", ...
	what      string        // the remote path, or the URL during discovery
	host      string        // the server's host and port
	user      string        // the user name, for "wrong password" messages
	timeout   time.Duration // the account's timeout, for "did not answer" messages
	discovery bool          // what is a URL, and 404 means no WebDAV folder there
}

// statusError translates a server's answer with an unwanted status.
func (t target) statusError(method, rawURL string, status int, h http.Header) *domain.Error {
	cause := &StatusError{Method: method, URL: rawURL, Status: status, RetryAfter: retryAfter(h)}
	e := &domain.Error{Remote: true, Err: cause}
	st := statusText(status)
	switch {
	case status == http.StatusUnauthorized:
		e.Code = domain.EUNAUTHORIZED
		e.Message = fmt.Sprintf("the server rejected the user name or password for user %q", t.user)
	case status == http.StatusForbidden:
		e.Code = domain.EFORBIDDEN
		e.Message = fmt.Sprintf("the server refused access to %s", t.what)
	case status == http.StatusNotFound && t.discovery:
		e.Code = domain.ENOTFOUND
		e.Message = fmt.Sprintf("no WebDAV folder at %s", t.what)
	case status == http.StatusNotFound:
		e.Code = domain.ENOTFOUND
		e.Message = fmt.Sprintf("%s not found", t.what)
	case status == http.StatusInsufficientStorage:
		e.Code = domain.EUNAVAILABLE
		e.Message = fmt.Sprintf("the server has no space left (%s)", st)
	case status == http.StatusLocked, status == http.StatusTooEarly,
		status == http.StatusTooManyRequests, status >= 500:
		e.Code = domain.EUNAVAILABLE
		e.Message = fmt.Sprintf("the server is busy or failing (%s)", st)
	case status >= 300 && status < 400:
		e.Code = domain.EINVALID
		e.Message = fmt.Sprintf("the server redirected %s (%s)", t.what, st)
		if loc := h.Get("Location"); loc != "" {
			if u, err := url.Parse(rawURL); err == nil {
				if l, err := u.Parse(loc); err == nil {
					loc = l.Redacted()
				}
			}
			e.Message = fmt.Sprintf("the server redirected %s to %s (%s)", t.what, loc, st)
		}
	case status == http.StatusRequestEntityTooLarge:
		e.Code = domain.EINVALID
		e.Message = fmt.Sprintf("the server refused %s as too large (%s)", t.what, st)
	default:
		e.Code = domain.EINVALID
		e.Message = fmt.Sprintf("the server refused to %s %s (%s)", t.op, t.what, st)
	}
	return e
}

// notWebDAV is the error for a server that does not answer PROPFIND as a
// WebDAV server does.
func (t target) notWebDAV(answer string, cause error) *domain.Error {
	return &domain.Error{
		Code:    domain.EINVALID,
		Message: fmt.Sprintf("%s is not a WebDAV server (PROPFIND answered %s)", t.what, answer),
		Remote:  true,
		Err:     cause,
	}
}

// transportError translates a failure to get or read an answer. A
// cancelled context is passed on, wrapped, so callers can tell it with
// errors.Is(err, context.Canceled).
func (t target) transportError(ctx context.Context, err error) error {
	err = withoutURL(err)
	cause := fmt.Errorf("%s %s on %s: %w", t.op, t.what, t.host, err)
	remote := func(code, format string, args ...any) error {
		return &domain.Error{Code: code, Message: fmt.Sprintf(format, args...), Remote: true, Err: cause}
	}
	if errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled) {
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("%s %s: %w (%v)", t.op, t.what, context.Canceled, err)
		}
		return fmt.Errorf("%s %s: %w", t.op, t.what, err)
	}
	var (
		netErr      net.Error
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		invalidCert x509.CertificateInvalidError
		hostErr     x509.HostnameError
		recordErr   tls.RecordHeaderError
		dnsErr      *net.DNSError
		opErr       *net.OpError
		otherHost   *errOtherHost
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			cause = fmt.Errorf("%w (%w)", cause, ctx.Err())
		}
		return remote(domain.EUNAVAILABLE, "the server did not answer within %s", seconds(t.timeout))
	case errors.As(err, &verifyErr), errors.As(err, &unknownCA), errors.As(err, &invalidCert), errors.As(err, &hostErr):
		return remote(domain.EINVALID, "%s", certificateMessage(err, t.host))
	case errors.As(err, &recordErr), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http reports the second case with an error of no type of its own.
		return remote(domain.EINVALID, "the server at %s does not speak HTTPS (try http://)", t.host)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return remote(domain.EUNAVAILABLE, "unknown host %s", dnsErr.Name)
	case errors.As(err, &dnsErr):
		return remote(domain.EUNAVAILABLE, "could not look up host %s", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		addr := t.host
		if errors.As(err, &opErr) && opErr.Addr != nil {
			addr = opErr.Addr.String()
		}
		return remote(domain.EUNAVAILABLE, "connection to %s refused", addr)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return remote(domain.EUNAVAILABLE, "%s is unreachable", t.host)
	case errors.As(err, &otherHost):
		return remote(domain.EINVALID, "the server sent photosync to another server (%s); connect with that server's URL", otherHost.url)
	case errors.Is(err, errTooLarge):
		return remote(domain.EINVALID, "the server's answer to %s %s is larger than photosync reads", t.op, t.what)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return remote(domain.EUNAVAILABLE, "the connection to %s broke off", t.host)
	default:
		return remote(domain.EUNAVAILABLE, "could not talk to the server at %s", t.host)
	}
}

// withoutURL drops the *url.Error layers of err, whose URL may be
// gowebdav's placeholder (see Client.dav); the cause names the real server.
func withoutURL(err error) error {
	switch e := err.(type) {
	case *url.Error:
		return withoutURL(e.Err)
	case interface{ Unwrap() []error }:
		errs := e.Unwrap()
		out := make([]error, len(errs))
		for i, err := range errs {
			out[i] = withoutURL(err)
		}
		return errors.Join(out...)
	}
	return err
}

// certificateMessage describes an untrusted certificate by the subject and
// issuer of the certificate the server presented, which is what a person
// needs to decide whether to trust it.
func certificateMessage(err error, host string) string {
	var (
		cert        *x509.Certificate
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		invalidCert x509.CertificateInvalidError
		hostErr     x509.HostnameError
	)
	if errors.As(err, &verifyErr) && len(verifyErr.UnverifiedCertificates) > 0 {
		cert = verifyErr.UnverifiedCertificates[0]
	}
	why := "is not trusted"
	switch {
	case errors.As(err, &hostErr):
		why = "is not valid for " + host
		if cert == nil {
			cert = hostErr.Certificate
		}
	case errors.As(err, &invalidCert):
		if invalidCert.Reason == x509.Expired {
			why = "has expired or is not valid yet"
		}
		if cert == nil {
			cert = invalidCert.Cert
		}
	case errors.As(err, &unknownCA):
		if cert == nil {
			cert = unknownCA.Cert
		}
	}
	if cert == nil {
		return fmt.Sprintf("the server's TLS certificate %s (add the issuer's CA certificate to the account)", why)
	}
	return fmt.Sprintf("the server's TLS certificate %s: subject %s, issuer %s (add the issuer's CA certificate to the account)",
		why, distinguishedName(cert.Subject.String()), distinguishedName(cert.Issuer.String()))
}

func distinguishedName(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// gowebdavStatus returns the HTTP status in a gowebdav error, 0 for none.
func gowebdavStatus(err error) int {
	var se gowebdav.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// retryAfter reads a Retry-After header given in seconds or as a date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// statusText is "405 Method Not Allowed".
func statusText(status int) string {
	if text := http.StatusText(status); text != "" {
		return strconv.Itoa(status) + " " + text
	}
	return strconv.Itoa(status)
}

// seconds writes a timeout the way a person set it: "10s", "90s".
func seconds(d time.Duration) string {
	if d > 0 && d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}
