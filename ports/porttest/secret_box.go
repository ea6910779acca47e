package porttest

import (
	"bytes"
	"testing"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestSecretBox is the contract of ports.SecretBox. newBox returns boxes
// with the given key byte repeated, so the suite can compare keys.
func TestSecretBox(t *testing.T, newBox func(t *testing.T, keyByte byte) ports.SecretBox) {
	t.Run("round trip", func(t *testing.T) {
		box := newBox(t, 1)
		for _, plain := range [][]byte{[]byte("hunter2"), {}, bytes.Repeat([]byte("x"), 10000)} {
			sealed, err := box.Seal(plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(plain) > 3 && bytes.Contains(sealed, plain) {
				t.Fatalf("sealed value contains the plaintext")
			}
			got, err := box.Open(sealed)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("Open = %q, want %q", got, plain)
			}
		}
	})
	t.Run("fresh nonce each time", func(t *testing.T) {
		box := newBox(t, 1)
		a, _ := box.Seal([]byte("same"))
		b, _ := box.Seal([]byte("same"))
		if bytes.Equal(a, b) {
			t.Fatal("two seals of the same value are equal")
		}
	})
	t.Run("other key is EINVALID", func(t *testing.T) {
		sealed, err := newBox(t, 1).Seal([]byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newBox(t, 2).Open(sealed); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("Open with another key: %v, want EINVALID", err)
		}
	})
	t.Run("tampered or short is EINVALID", func(t *testing.T) {
		box := newBox(t, 1)
		sealed, _ := box.Seal([]byte("secret"))
		for i := range sealed {
			bad := bytes.Clone(sealed)
			bad[i] ^= 0x01
			if _, err := box.Open(bad); domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("Open with byte %d flipped: %v, want EINVALID", i, err)
			}
		}
		for _, short := range [][]byte{nil, {1}, sealed[:len(sealed)-1]} {
			if _, err := box.Open(short); domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("Open(%d bytes): %v, want EINVALID", len(short), err)
			}
		}
	})
}
