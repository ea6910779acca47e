package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SettingStore keeps named values of the installation in the settings
// table.
type SettingStore struct {
	db *DB
}

var _ ports.SettingStore = (*SettingStore)(nil)

// NewSettingStore returns a SettingStore on db.
func NewSettingStore(db *DB) *SettingStore {
	return &SettingStore{db: db}
}

// Setting returns a value. ENOTFOUND when it was never set.
func (s *SettingStore) Setting(ctx context.Context, key string) (string, error) {
	var value string
	err := s.db.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", domain.Errorf(domain.ENOTFOUND, "setting %q not found", key)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: get setting %q: %w", key, err)
	}
	return value, nil
}

// SetSetting stores or replaces a value.
func (s *SettingStore) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("postgres: set setting %q: %w", key, err)
	}
	return nil
}
