package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// CheckQuota refuses, before anything is sent, an upload of need bytes
// that the server has no room for: EUNAVAILABLE (Remote) with "not enough
// space on the server: 1.2 GB needed, 300.0 MB free". It passes when need
// is 0 or less, when the storage cannot tell its free space (it is no
// ports.QuotaReporter, or does not know), and when asking failed for a
// reason other than the credentials or ctx: the upload then finds out,
// and a full server still answers each file with a clear error.
func CheckQuota(ctx context.Context, st ports.RemoteStorage, need int64) error {
	if need <= 0 {
		return nil
	}
	qr, ok := st.(ports.QuotaReporter)
	if !ok {
		return nil
	}
	free, known, err := qr.Quota(ctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil && (isFatal(err) || errors.Is(err, context.Canceled)):
		return err
	case err != nil || !known || free >= need:
		return nil
	}
	return domain.RemoteErrorf(domain.EUNAVAILABLE, "not enough space on the server: %s needed, %s free",
		quotaBytes(need), quotaBytes(free))
}

// quotaBytes is a byte count in decimal units, as file managers and
// Nextcloud show them: "950 B", "300.0 MB", "1.2 GB".
func quotaBytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		v /= 1000
		if v < 999.95 || unit == "TB" {
			return fmt.Sprintf("%.1f %s", v, unit)
		}
	}
	return "" // not reached
}
