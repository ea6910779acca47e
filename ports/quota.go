package ports

import "context"

// QuotaReporter is a RemoteStorage that can tell how much space is left
// for the account's files: an optional capability, found by type
// assertion (see app.CheckQuota).
type QuotaReporter interface {
	// Quota returns the bytes the account may still store. known is false
	// when the server does not say, cannot compute it, or sets no limit.
	// Errors are those of RemoteStorage.Stat.
	Quota(ctx context.Context) (available int64, known bool, err error)
}
