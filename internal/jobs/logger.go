package jobs

import (
	"context"
	"log/slog"
)

// routine lowers River's INFO lines ("Ran successfully", producer job
// counts, "Driver does not support listener"…) to DEBUG: they say the
// queue is working, which an administrator reading the log at INFO does
// not need every few seconds. Its warnings and errors stay as they are.
type routine struct{ slog.Handler }

func quiet(l *slog.Logger) *slog.Logger { return slog.New(routine{l.Handler()}) }

func (h routine) Enabled(ctx context.Context, level slog.Level) bool {
	return h.Handler.Enabled(ctx, lowered(level))
}

func (h routine) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lowered(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h routine) WithAttrs(attrs []slog.Attr) slog.Handler {
	return routine{h.Handler.WithAttrs(attrs)}
}

func (h routine) WithGroup(name string) slog.Handler { return routine{h.Handler.WithGroup(name)} }

func lowered(level slog.Level) slog.Level {
	if level == slog.LevelInfo {
		return slog.LevelDebug
	}
	return level
}
