package webdav

// SetRangePartSize sets the size of the parts of a ranged download, until
// the returned function restores it.
func SetRangePartSize(n int64) (restore func()) {
	old := rangePartSize
	rangePartSize = n
	return func() { rangePartSize = old }
}
