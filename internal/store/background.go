package store

import "context"

type backgroundKey struct{}

// Background marks ctx as background work's: a job, not a request someone
// is waiting on. A backend may serve its reads from connections of their
// own, so that a burst of jobs does not queue requests behind it.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx, or a context it derives from, was
// marked by Background.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}
