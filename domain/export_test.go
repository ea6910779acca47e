package domain

// The rules below are used inside the domain only; the tests reach them
// here.
var (
	DateFromName = dateFromName
	Resizable    = resizable
	Stem         = nameStem
)

const (
	MaxSharePasswordLength = maxSharePasswordLength
	MaxNameBytes           = maxNameBytes
)
