// Package system adapts what the operating system provides: the wall clock.
package system

import (
	"time"

	"github.com/photosync/photosync/ports"
)

// Clock is the wall clock.
type Clock struct{}

var _ ports.Clock = Clock{}

// Now returns the current time.
func (Clock) Now() time.Time { return time.Now() }
