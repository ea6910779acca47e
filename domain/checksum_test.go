package domain_test

import (
	"strings"
	"testing"

	"github.com/photosync/photosync/domain"
)

const abcSHA1 = "a9993e364706816aba3e25717850c26c9cd0d89d" // SHA-1 of "abc"

// TestChecksumTextForm: the text form is "SHA1:<hex>", the form the
// stores have always kept, so what they kept reads back as it was.
func TestChecksumTextForm(t *testing.T) {
	c := domain.SHA1Checksum(strings.ToUpper(abcSHA1))
	if c.String() != "SHA1:"+abcSHA1 || c.SHA1() != abcSHA1 || c.Validate() != nil {
		t.Fatalf("SHA1Checksum = %q (SHA1 %q, %v)", c.String(), c.SHA1(), c.Validate())
	}
	for _, s := range []string{"SHA1:" + abcSHA1, "sha1:" + strings.ToUpper(abcSHA1), " SHA1:" + abcSHA1 + " "} {
		got, err := domain.ParseChecksum(s)
		if err != nil || got != c {
			t.Errorf("ParseChecksum(%q) = %+v, %v; want %+v", s, got, err, c)
		}
	}
	if got, err := domain.ParseChecksum(""); err != nil || !got.IsZero() || got.String() != "" || got.SHA1() != "" {
		t.Errorf("ParseChecksum(\"\") = %+v, %v; want no checksum", got, err)
	}
	md5, err := domain.ParseChecksum("MD5:900150983cd24fb0d6963f7d28e17f72")
	if err != nil || md5.Algo != domain.AlgoMD5 || md5.SHA1() != "" || md5.Equal(c) {
		t.Errorf("an MD5 checksum = %+v, %v; want an MD5 that is no SHA-1", md5, err)
	}
}

// TestChecksumRefusesMalformed: a digest of the wrong length, with other
// characters than hex digits, or of an unknown algorithm, is EINVALID
// saying why, and never a SHA-1.
func TestChecksumRefusesMalformed(t *testing.T) {
	for s, why := range map[string]string{
		"SHA1:abc":                   "40 lower-case hex digits",
		"SHA1:" + abcSHA1 + "00":     "40 lower-case hex digits",
		"SHA1:" + abcSHA1[:39] + "g": "40 lower-case hex digits",
		"MD5:" + abcSHA1:             "32 lower-case hex digits",
		"ADLER32:0a1b2c3d":           "unknown algorithm",
		"SHA1":                       "want <algorithm>:<hex digest>",
		"SHA1:":                      "want <algorithm>:<hex digest>",
		abcSHA1:                      "want <algorithm>:<hex digest>",
	} {
		c, err := domain.ParseChecksum(s)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseChecksum(%q) = %+v, %v; want EINVALID with %q", s, c, err, why)
		}
	}
	bad := domain.Checksum{Algo: domain.AlgoSHA1, Hex: "abc"}
	if bad.SHA1() != "" || bad.Validate() == nil {
		t.Errorf("a SHA-1 of 3 digits gives SHA1 %q, Validate %v", bad.SHA1(), bad.Validate())
	}
	if c, err := domain.NewChecksum(domain.AlgoSHA1, ""); err != nil || !c.IsZero() {
		t.Errorf("NewChecksum of no digest = %+v, %v; want none", c, err)
	}
}

// TestChecksumEqualAndCompare: equality ignores the spelling's case;
// the order is by algorithm, then digest.
func TestChecksumEqualAndCompare(t *testing.T) {
	a := domain.SHA1Checksum(abcSHA1)
	upper := domain.Checksum{Algo: "sha1", Hex: strings.ToUpper(abcSHA1)}
	if !a.Equal(upper) || a.Equal(domain.Checksum{}) || !(domain.Checksum{}).Equal(domain.Checksum{}) {
		t.Errorf("Equal: %v %v", a.Equal(upper), a.Equal(domain.Checksum{}))
	}
	b := domain.SHA1Checksum(strings.Repeat("b", 40))
	if a.Compare(b) >= 0 || b.Compare(a) <= 0 || a.Compare(a) != 0 || (domain.Checksum{}).Compare(a) >= 0 {
		t.Errorf("Compare: %d %d %d", a.Compare(b), b.Compare(a), a.Compare(a))
	}
}
