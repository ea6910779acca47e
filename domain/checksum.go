package domain

import "strings"

// HashAlgo names the algorithm of a Checksum, in upper case as servers
// spell it.
type HashAlgo string

// The algorithms a Checksum may name. SHA-1 is the one photosync trusts:
// it is how the library's files are known (LibraryFile.SHA1), so only a
// SHA-1 can say that a server's file is a library file. The others are
// named so that a checksum of theirs is recognised, and told apart.
const (
	AlgoSHA1   HashAlgo = "SHA1"
	AlgoMD5    HashAlgo = "MD5"
	AlgoSHA256 HashAlgo = "SHA256"
)

// hexLen is the length of each algorithm's digest in hex digits.
var hexLen = map[HashAlgo]int{AlgoSHA1: 40, AlgoMD5: 32, AlgoSHA256: 64}

// Checksum is a hash of a file's content as a server reports it: the
// algorithm and the digest in lower-case hex. The zero value is "none
// reported". Checksums built by NewChecksum, SHA1Checksum or
// ParseChecksum are normalised, so they compare with ==.
//
// The server's spelling of it (OC-Checksum, oc:checksums, X-Hash-*) is the
// storage adapter's business; the core sees only this type.
type Checksum struct {
	Algo HashAlgo
	Hex  string
}

// NewChecksum is the checksum of algo with the given hex digest, checked
// (EINVALID for an unknown algorithm or a digest of the wrong length or
// with other characters than hex digits) and normalised. An empty digest
// is the zero Checksum, whatever algo.
func NewChecksum(algo HashAlgo, hex string) (Checksum, error) {
	if hex == "" {
		return Checksum{}, nil
	}
	c := Checksum{Algo: HashAlgo(strings.ToUpper(string(algo))), Hex: strings.ToLower(hex)}
	return c, c.Validate()
}

// SHA1Checksum is the SHA-1 checksum with the given hex digest,
// normalised but not checked (see Validate); "" is the zero Checksum.
func SHA1Checksum(hex string) Checksum {
	if hex == "" {
		return Checksum{}
	}
	return Checksum{Algo: AlgoSHA1, Hex: strings.ToLower(hex)}
}

// Validate checks that c is the zero Checksum or names a known algorithm
// with a digest of its length in lower-case hex digits: EINVALID
// otherwise.
func (c Checksum) Validate() error {
	if c.IsZero() {
		return nil
	}
	n, ok := hexLen[c.Algo]
	if !ok {
		return Errorf(EINVALID, "checksum %q: unknown algorithm %q (use SHA1, MD5 or SHA256)", c.String(), string(c.Algo))
	}
	if len(c.Hex) != n || strings.IndexFunc(c.Hex, func(r rune) bool { return !isHexDigit(r) }) >= 0 {
		return Errorf(EINVALID, "checksum %q: a %s digest is %d lower-case hex digits", c.String(), string(c.Algo), n)
	}
	return nil
}

// IsZero reports whether c is no checksum.
func (c Checksum) IsZero() bool { return c == Checksum{} }

// SHA1 is the lower-case hex SHA-1 that c holds, "" when c is no SHA-1
// (none, another algorithm, or a malformed digest).
func (c Checksum) SHA1() string {
	if c.Algo != AlgoSHA1 || c.Validate() != nil {
		return ""
	}
	return c.Hex
}

// Equal reports whether c and o are the same checksum, whatever the case
// of their spelling.
func (c Checksum) Equal(o Checksum) bool {
	return strings.EqualFold(string(c.Algo), string(o.Algo)) && strings.EqualFold(c.Hex, o.Hex)
}

// Compare orders checksums by algorithm, then digest: -1, 0 or +1.
func (c Checksum) Compare(o Checksum) int {
	if r := strings.Compare(string(c.Algo), string(o.Algo)); r != 0 {
		return r
	}
	return strings.Compare(c.Hex, o.Hex)
}

// String is the text form of c, "<ALGO>:<hex>" ("SHA1:a999..."), or ""
// for no checksum. It is the form stores keep (see ParseChecksum) and
// error messages show.
func (c Checksum) String() string {
	if c.IsZero() {
		return ""
	}
	return string(c.Algo) + ":" + c.Hex
}

// ParseChecksum reads the text form of a checksum (String): "" is no
// checksum; the algorithm may be in any case. EINVALID for anything else,
// saying why. Stores that keep a checksum as text use String and
// ParseChecksum, so what they kept reads back as it was.
func ParseChecksum(s string) (Checksum, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Checksum{}, nil
	}
	algo, hex, ok := strings.Cut(s, ":")
	if !ok || hex == "" {
		return Checksum{}, Errorf(EINVALID, "checksum %q: want <algorithm>:<hex digest>, as SHA1:a9993e36...", s)
	}
	return NewChecksum(HashAlgo(algo), hex)
}
