package newsroom

// Invalidator forgets the public pages and documents kept in memory
// (site.Cache implements it). The services that write what the public sees
// call it after each successful commit, so the next reader sees the
// change; it is declared here, where every service can depend on it
// without importing the HTTP layer.
type Invalidator interface {
	Invalidate()
}

// NoPages is the Invalidator of a process that keeps no pages, such as a
// command-line tool: serving processes learn of its writes from the
// database (store.Store.WatchChanges).
type NoPages struct{}

// Invalidate does nothing.
func (NoPages) Invalidate() {}
