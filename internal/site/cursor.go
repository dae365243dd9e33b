package site

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/soga/newsroom/internal/store"
)

// A cursor in a URL is the time of the last post shown, in Unix
// microseconds (the store's precision), a dot, and that post's id:
// ?before=1767225600000000.01JABCDEF…
// Keyset cursors keep pages stable while new posts arrive and cost no
// OFFSET scan.

// Compiled when first used, not at start: its counted repetition
// compiles to 64 copies of the class, held for good by a server that
// may never need it.
var cursorIDRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)
})

func encodeCursor(c *store.PostCursor) string {
	at := int64(0)
	if !c.At.IsZero() {
		at = c.At.UnixMicro()
	}
	return strconv.FormatInt(at, 10) + "." + c.ID
}

// decodeCursor reads a cursor; an empty one means the first page. It
// reports false for anything it did not write.
func decodeCursor(s string) (*store.PostCursor, bool) {
	if s == "" {
		return nil, true
	}
	at, id, ok := strings.Cut(s, ".")
	if !ok || !cursorIDRE().MatchString(id) {
		return nil, false
	}
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil || n < 0 {
		return nil, false
	}
	c := &store.PostCursor{ID: id}
	if n != 0 {
		c.At = time.UnixMicro(n).UTC()
	}
	return c, true
}
