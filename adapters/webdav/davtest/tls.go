package davtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/net/webdav"
)

// The names on the certificates StartTLS issues, for tests that check an
// error message names the certificate's subject and issuer.
const (
	TestCAName     = "photosync test CA"
	TestServerName = "photosync test server"
)

// TLSServer is a WebDAV server over HTTPS whose certificate was issued by a
// certificate authority made for the test, which no system trusts.
type TLSServer struct {
	Server
	CAPEM string // the test CA's certificate, PEM-encoded
}

// CertPool answers a pool holding only the test CA, for a client that
// should trust the server.
func (s *TLSServer) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(s.CAPEM))
	return pool
}

// StartTLS starts an in-process x/net/webdav server, as StartXNet does, over
// HTTPS on 127.0.0.1. Its certificate (subject CN "photosync test server",
// valid for 127.0.0.1 and localhost) is issued by a fresh CA with subject CN
// "photosync test CA", so a client fails with an unknown-authority error
// unless it trusts CAPEM.
func StartTLS(t testing.TB) *TLSServer {
	t.Helper()
	caPEM, cert := issueTestCertificate(t)
	s := &TLSServer{
		Server: Server{Username: "photosync", Password: randomPassword(t), Dir: t.TempDir()},
		CAPEM:  caPEM,
	}
	dav := &webdav.Handler{FileSystem: webdav.Dir(s.Dir), LockSystem: webdav.NewMemLS()}
	srv := httptest.NewUnstartedServer(requireBasicAuth(s.Username, s.Password, "photosync test", dav))
	srv.Listener.Close()
	srv.Listener = listenLocal(t)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Clients that refuse the certificate are what this server is for; the
	// handshake errors they cause are no news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/"
	return s
}

// issueTestCertificate makes a CA and a server certificate it signed, and
// answers the CA in PEM and the server's certificate chain with its key.
func issueTestCertificate(t testing.TB) (string, tls.Certificate) {
	t.Helper()
	fail := func(err error) {
		t.Helper()
		t.Fatalf("davtest: issue test certificate: %v", err)
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: TestCAName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		fail(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		fail(err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: TestServerName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		fail(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return string(caPEM), tls.Certificate{
		// Only the leaf, as most servers send: a client that does not
		// trust the CA then reports the leaf's subject and issuer.
		Certificate: [][]byte{leafDER},
		PrivateKey:  key,
	}
}

// serial answers a random certificate serial number.
func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatalf("davtest: certificate serial: %v", err)
	}
	return n
}
