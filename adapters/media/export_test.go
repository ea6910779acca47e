package media

// SetCheckBufSize sets the size of the read buffer, for the benchmarks
// that tune it; it returns the previous size.
func SetCheckBufSize(n int) int {
	old := checkBufSize
	checkBufSize = n
	return old
}

// WithTimeout sets the time limit for one thumbnail, for the tests of a
// decoder that takes too long.
var WithTimeout = withTimeout
