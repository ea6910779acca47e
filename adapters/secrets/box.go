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

// keySize is the size of an AES-256 key in bytes.
const keySize = 32

// version prefixes every sealed value so the format can change later
// without guessing.
const version byte = 1

// Box is an AES-256-GCM SecretBox. A sealed value is the version byte, a
// random 12-byte nonce and the ciphertext with its tag.
type Box struct {
	aead cipher.AEAD
	// source names where the key came from, for the message when a
	// stored secret does not open with it.
	source string
}

var _ ports.SecretBox = (*Box)(nil)

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	return NewBoxFrom(key, "")
}

// Key sources for NewBoxFrom.
const (
	SourceEnv = "PHOTOSYNC_SECRET_KEY"
)

// SourceKeyFile names a key file as a key's source.
func SourceKeyFile(path string) string { return "the key file " + path }

// NewBoxFrom returns a Box for a 32-byte key that came from source
// (SourceEnv, SourceKeyFile(path)), which the error of Open names so a
// person knows which key to fix. "" stands for either.
func NewBoxFrom(key []byte, source string) (*Box, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("secrets: key is %d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	if source == "" {
		source = "this secret key (PHOTOSYNC_SECRET_KEY, or the key file " + KeyFileName + " in the data folder when it is unset)"
	} else {
		source = "this " + source
	}
	return &Box{aead: aead, source: source}, nil
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
// with another key, or changed, is EINVALID with a message that says so
// (the usual cause: PHOTOSYNC_SECRET_KEY set to, or the key file replaced
// by, another valid key), rather than garbage: GCM's tag cannot match
// under another key.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, domain.Errorf(domain.EINVALID, "a stored secret is damaged or of an unknown format")
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte{version})
	if err != nil {
		return nil, &domain.Error{Code: domain.EINVALID, Err: err,
			Message: "the stored passwords cannot be decrypted with " + b.source + ": it is not the key they were encrypted with; " +
				"use that key again, or enter the account passwords again"}
	}
	return plain, nil
}
