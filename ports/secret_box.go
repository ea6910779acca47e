package ports

// SecretBox encrypts secrets (server passwords and app passwords) at rest.
type SecretBox interface {
	// Seal encrypts plaintext; two calls with the same input give different
	// outputs.
	Seal(plaintext []byte) ([]byte, error)
	// Open decrypts what Seal returned. EINVALID when sealed was not made
	// with this key or was changed.
	Open(sealed []byte) ([]byte, error)
}
