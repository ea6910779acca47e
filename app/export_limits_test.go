package app

// The limits below are the app's own; the tests that reach them use these.
const (
	MaxLoginFlows    = maxLoginFlows
	MaxThumbnailSize = maxThumbnailSize
)
