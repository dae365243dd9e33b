package store

import "github.com/soga/newsroom/internal/newsroom"

// PostOrder is the order ListPosts returns posts in, chosen by the filter.
type PostOrder int

const (
	// OrderNewest is by PublishedAt then ID, newest first; posts never
	// published come last.
	OrderNewest PostOrder = iota
	// OrderUpcoming is by event start then ID, soonest first.
	OrderUpcoming
	// OrderPast is by event start then ID, latest first.
	OrderPast
)

// Order tells which order f lists posts in. The cursor in f.Before is read
// in that order: At is the PublishedAt of the last post of the previous
// page, or its event start for the event orders.
func (f PostFilter) Order() PostOrder {
	switch {
	case !f.Upcoming.IsZero():
		return OrderUpcoming
	case !f.Past.IsZero():
		return OrderPast
	}
	return OrderNewest
}

// CursorAfter returns the cursor of the page that follows last in f's order.
func (f PostFilter) CursorAfter(last newsroom.Post) *PostCursor {
	if f.Order() == OrderNewest || last.Event == nil {
		return &PostCursor{At: last.PublishedAt, ID: last.ID}
	}
	return &PostCursor{At: last.Event.Start, ID: last.ID}
}

// UniqueTags drops tags whose newsroom.TagKey an earlier tag has, keeping
// the first of each in order.
func UniqueTags(tags []string) []string {
	seen := make(map[string]bool, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if k := newsroom.TagKey(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
