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
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		p := gcpace.New()
		p.Log = m.Logger.With("component", "gcpace")
		p.Run(pctx, time.Second)
	}()
	return func() { cancel(); <-done }
}
