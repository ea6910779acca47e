package memory

import (
	"context"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SettingStore keeps settings in a map.
type SettingStore struct {
	mu     sync.Mutex
	values map[string]string
}

var _ ports.SettingStore = (*SettingStore)(nil)

// NewSettingStore returns an empty store.
func NewSettingStore() *SettingStore { return &SettingStore{values: map[string]string{}} }

// Setting returns a value.
func (s *SettingStore) Setting(ctx context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	if !ok {
		return "", domain.Errorf(domain.ENOTFOUND, "setting %q not set", key)
	}
	return v, nil
}

// SetSetting stores a value.
func (s *SettingStore) SetSetting(ctx context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = value
	return nil
}
