package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// VerifyMode is how an upload is proven where the server computes no hash
// of what it stored (PHOTOSYNC_VERIFY).
type VerifyMode string

// Verify modes.
const (
	VerifyAll    VerifyMode = "all"    // every upload is read back and hashed
	VerifySample VerifyMode = "sample" // one upload in ten is read back
	VerifySize   VerifyMode = "size"   // only the stored size is checked
)

// ParseVerifyMode reads a verify mode; "" is VerifyAll.
func ParseVerifyMode(s string) (VerifyMode, error) {
	switch m := VerifyMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return VerifyAll, nil
	case VerifyAll, VerifySample, VerifySize:
		return m, nil
	}
	return "", domain.Errorf(domain.EINVALID, "verify mode %q: use all, sample or size", s)
}

// readsBack reports whether an upload to p without a server hash is read
// back under the mode. The sample is decided by the path, so that the same
// files are sampled on every run and a run that is repeated proves
// nothing twice by chance.
func (m VerifyMode) readsBack(p string) bool {
	switch m {
	case VerifySize:
		return false
	case VerifySample:
		h := fnv.New32a()
		h.Write([]byte(p))
		return h.Sum32()%10 == 0
	}
	return true
}

// errStoredOther is the error of an upload whose stored content is proven
// to differ from what was sent. The server may have been passing trouble
// (a proxy, a disk), so the send is tried again like a busy answer.
func errStoredOther(p, stored, sent string) error {
	return domain.RemoteErrorf(domain.EUNAVAILABLE,
		"the server stored different content than was sent for %s (SHA-1 %s, sent %s)", p, short(stored), short(sent))
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// upload sends one body and returns the SHA-1 the server computed of what
// it stored, when the storage can prove it ("" otherwise).
func (s *sender) upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) (string, error) {
	if pu, ok := s.st.(ports.ProvingUploader); ok {
		return pu.UploadProven(ctx, p, body, size, meta)
	}
	return "", s.st.Upload(ctx, p, body, size, meta)
}

// prove checks that the server stored the bytes whose SHA-1 is sent: by
// the hash the server computed when it gave one, else by reading the file
// back when the mode says so. A copy proven wrong is removed, so that no
// wrong file stays where the library's belongs, and the send fails with
// errStoredOther. It returns the proven SHA-1 ("" when only the size will
// be checked).
func (s *sender) prove(ctx context.Context, p string, size int64, sent, stored string) (string, error) {
	if stored == "" {
		if !s.verifyMode().readsBack(p) {
			return "", nil
		}
		var n int64
		var err error
		if stored, n, err = readRemoteSHA1(ctx, s.st, p); err != nil {
			return "", fmt.Errorf("read the uploaded file back to prove it: %w", err)
		}
		if n != size {
			s.discard(ctx, p)
			return "", domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", n, size)
		}
	}
	if sent != "" && !strings.EqualFold(stored, sent) {
		// Say how, when it is a short copy: the likeliest wrong content.
		rf, serr := s.st.Stat(ctx, p)
		s.discard(ctx, p)
		if serr == nil && rf.Size != size {
			return "", domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", rf.Size, size)
		}
		return "", errStoredOther(p, stored, sent)
	}
	return strings.ToLower(stored), nil
}

func (s *sender) verifyMode() VerifyMode {
	if s.proof == "" {
		return VerifyAll
	}
	return s.proof
}
