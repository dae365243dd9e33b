package main

import "context"

// sweepCache forgets public responses as they expire
// (site.Cache.RunSweeper) and returns a function that stops it.
func (m *Main) sweepCache(ctx context.Context) (stop func()) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Cache.RunSweeper(sctx)
	}()
	return func() { cancel(); <-done }
}
