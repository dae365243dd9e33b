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

// PostInvalidator is an Invalidator that can forget only what shows one
// post (its page, its object, its likes and shares), for the writes the
// inbox makes: a Like must update its post's count without emptying the
// cache for every other page during the stampede that follows a post.
type PostInvalidator interface {
	InvalidatePost(postID string)
}

// InvalidatePost forgets what shows postID through pages when it can,
// else everything.
func InvalidatePost(pages Invalidator, postID string) {
	switch p := pages.(type) {
	case nil:
	case PostInvalidator:
		p.InvalidatePost(postID)
	default:
		pages.Invalidate()
	}
}
