package webdav

import "time"

// Limits of Nextcloud's chunked upload v2 (developer manual, "Chunked file
// upload"): every chunk but the last holds 5 MB to 5 GB, and an upload has
// at most 10,000 chunks, named 1 to 10000.
const (
	// DefaultChunkSize is the chunk size when Options leaves it at 0. Every
	// chunk is a request that real Nextcloud pays a PHP start, a lock and
	// file cache writes for, and a round trip or two (100 Continue, the
	// answer) that parallel sends only partly hide: 64 MiB sends a 2 GB
	// video in 32 requests rather than 205. It stays below the 100 MB that
	// Nextcloud's own web uploads default to (max_chunk_size) and that
	// proxies in front of many servers (Cloudflare's free plan) accept in
	// one request, and four chunks in flight still take a minute or so each
	// on a 4 MB/s uplink, which is what Nextcloud's desktop client aims a
	// chunk at. A file up to this size goes in one PUT.
	DefaultChunkSize int64 = 64 << 20
	// MinChunkSize is the smallest chunk Nextcloud takes (5 MiB, which is
	// also the smallest part of an S3 multipart upload behind it).
	MinChunkSize int64 = 5 << 20
	// MaxChunkSize is the largest chunk Nextcloud takes.
	MaxChunkSize int64 = 5 << 30
	// maxChunks is the highest chunk number; a file that would need more
	// chunks is sent in larger ones.
	maxChunks = 10000
)

// DefaultAssemblyTimeout is how long an upload waits, by default, for
// Nextcloud to finish assembling its chunks when the final MOVE answers
// 423 Locked (another request is assembling them).
const DefaultAssemblyTimeout = 10 * time.Minute

// Options tune a Connector and the clients it opens. The zero value means
// the defaults.
type Options struct {
	// ChunkSize is the size above which a Nextcloud upload goes in chunks
	// (chunked upload v2), and the size of those chunks. 0 means
	// DefaultChunkSize; values outside MinChunkSize..MaxChunkSize are
	// brought within them.
	ChunkSize int64
	// AssemblyTimeout bounds the wait for Nextcloud to assemble an upload
	// that another request is assembling (a 423 on the final MOVE). 0
	// means DefaultAssemblyTimeout.
	AssemblyTimeout time.Duration
	// BulkUpload lets SendBulk and UploadBulk send small files to
	// Nextcloud in bulk requests (POST remote.php/dav/bulk) where the
	// server advertises them (see bulk.go). Off in the zero Options;
	// photosync's configuration has it on unless PHOTOSYNC_BULK_UPLOAD=off.
	BulkUpload bool
}

// normalized returns the options with defaults and limits applied.
func (o Options) normalized() Options {
	switch {
	case o.ChunkSize <= 0:
		o.ChunkSize = DefaultChunkSize
	case o.ChunkSize < MinChunkSize:
		o.ChunkSize = MinChunkSize
	case o.ChunkSize > MaxChunkSize:
		o.ChunkSize = MaxChunkSize
	}
	if o.AssemblyTimeout <= 0 {
		o.AssemblyTimeout = DefaultAssemblyTimeout
	}
	return o
}
