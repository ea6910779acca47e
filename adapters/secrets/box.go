// Package secrets seals passwords and app passwords at rest with
// AES-256-GCM, and finds the key: from PHOTOSYNC_SECRET_KEY or from a key
// file in the data folder that it creates on first use.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// version prefixes every sealed value so the format can change later
// without guessing.
const version byte = 1

// Box is an AES-256-GCM SecretBox. A sealed value is the version byte, a
// random 12-byte nonce and the ciphertext with its tag.
type Box struct {
	aead cipher.AEAD
}

var _ ports.SecretBox = (*Box)(nil)

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext with a fresh random nonce.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	out := make([]byte, 1+b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secrets: nonce: %w", err)
	}
	return b.aead.Seal(out, out[1:], plaintext, []byte{version}), nil
}

// Open decrypts a value made by Seal with the same key. A value sealed
// with another key, or changed, is EINVALID.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, domain.Errorf(domain.EINVALID, "a stored secret is damaged or of an unknown format")
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte{version})
	if err != nil {
		return nil, &domain.Error{Code: domain.EINVALID, Err: err,
			Message: "a stored secret cannot be decrypted: the secret key changed since it was saved (check PHOTOSYNC_SECRET_KEY or the key file)"}
	}
	return plain, nil
}
