package infra

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns the process's structured logger: text for people,
// JSON for log collectors such as CloudWatch.
func NewLogger(w io.Writer, cfg Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
