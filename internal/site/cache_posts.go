package site

import (
	"strings"
	"time"
)

// ReactionDelay is the longest a post's cached page and object keep
// showing counts and replies older than the inbox's last write. Under a
// stream of Likes a hot post is rendered at most about once per delay,
// instead of once per Like; when it is quiet, the next reader sees the
// change at once.
const ReactionDelay = time.Second

// forgetRing is how many recent per-post invalidations are remembered to
// judge renders still running; a render that outlived more is kept for
// ReactionDelay only.
const forgetRing = 256

type forget struct {
	seq    uint64
	postID string
}

// InvalidatePost forgets what shows one post: its page in every
// language, its object and its likes and shares collections. Entries
// stored less than ReactionDelay ago are only shortened to end then.
// Lists and feeds, which show no counts, stay.
func (c *Cache) InvalidatePost(postID string) {
	if postID == "" {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetSeq++
	c.forgets = append(c.forgets, forget{seq: c.forgetSeq, postID: postID})
	if len(c.forgets) > forgetRing {
		c.forgets = c.forgets[len(c.forgets)-forgetRing:]
	}
	for k, e := range c.entries {
		if !showsPost(k, postID) {
			continue
		}
		if end := e.stored.Add(ReactionDelay); now.Before(end) {
			// A copy: readers hold e without the lock.
			short := *e
			short.expires = minTime(e.expires, end)
			c.entries[k] = &short
			continue
		}
		c.size -= e.cost()
		delete(c.entries, k)
	}
}

// showsPost tells whether a cache key is one of a post's URLs: the post's
// path, or a path under it.
func showsPost(key, postID string) bool {
	_, path, _ := strings.Cut(key, " ")
	path, _, _ = strings.Cut(path, "?")
	i := strings.Index(path, "/posts/"+postID)
	if i < 0 {
		return false
	}
	rest := path[i+len("/posts/")+len(postID):]
	return rest == "" || rest[0] == '/'
}

// shortenIfForgotten, with c.mu held, ends e at ReactionDelay after its
// render started when its post was forgotten during the render (or when
// too many posts were to tell).
func (c *Cache) shortenIfForgotten(key string, e *entry, seq uint64, started time.Time) {
	if seq == c.forgetSeq {
		return
	}
	forgotten := len(c.forgets) > 0 && c.forgets[0].seq > seq+1
	for _, f := range c.forgets {
		if f.seq > seq && showsPost(key, f.postID) {
			forgotten = true
			break
		}
	}
	if forgotten {
		e.expires = minTime(e.expires, started.Add(ReactionDelay))
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
