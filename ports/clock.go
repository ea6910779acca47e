package ports

import "time"

// Clock tells the time, so that rules that depend on it can be tested.
type Clock interface {
	Now() time.Time
}
