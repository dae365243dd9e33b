package main

import (
	"context"
	"os"
	"time"

	"github.com/soga/newsroom/internal/gcpace"
)

// paceCollector runs the collector less often while requests arrive fast
// (internal/gcpace) and returns a function that stops it and puts the
// usual settings back. A GOGC in the environment is an operator's choice,
// kept as it is.
func (m *Main) paceCollector(ctx context.Context) (stop func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	p := gcpace.New()
	p.Log = m.Logger.With("component", "gcpace")
	return inBackground(ctx, func(ctx context.Context) { p.Run(ctx, time.Second) })
}
