// Package memory implements photosync's ports in memory, for tests of the
// use cases and for trying things out. Each store is safe for concurrent
// use and passes the same contract suite as the real adapters.
package memory
