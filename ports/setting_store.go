package ports

import "context"

// SettingStore keeps small named values of the installation, such as the
// hash of a generated admin password.
type SettingStore interface {
	// Setting returns a value. ENOTFOUND when it was never set.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting stores or replaces a value.
	SetSetting(ctx context.Context, key, value string) error
}
