package fedtest

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/soga/newsroom/federation/ap"
)

// Activities built here have fresh ids under the peer, never reused (a
// random part keeps them unique even when a later peer gets the same
// port), and are served at their id like Mastodon serves its own.

func (p *Peer) newID(kind string) string {
	var b [6]byte
	rand.Read(b[:])
	return p.ActorID + "/" + kind + "/" + strconv.FormatInt(p.seq.Add(1), 10) + "-" + hex.EncodeToString(b[:])
}

func (p *Peer) published() string { return time.Now().UTC().Format(time.RFC3339) }

// activity builds and stores an activity of the user.
func (p *Peer) activity(typ string, object any, extra map[string]any) map[string]any {
	a := map[string]any{
		"@context": ap.ActivityStreamsNS,
		"id":       p.newID("activities"),
		"type":     typ,
		"actor":    p.ActorID,
		"object":   object,
	}
	for k, v := range extra {
		a[k] = v
	}
	p.store(a["id"].(string), a)
	return a
}

// Follow is a Follow of target (an actor id).
func (p *Peer) Follow(target string) map[string]any {
	return p.activity("Follow", target, nil)
}

// Undo undoes activity, embedding it as Mastodon does.
func (p *Peer) Undo(activity map[string]any) map[string]any {
	return p.activity("Undo", withoutContext(activity), nil)
}

// Like likes object (an id).
func (p *Peer) Like(object string) map[string]any {
	return p.activity("Like", object, nil)
}

// Announce boosts object (an id) publicly.
func (p *Peer) Announce(object string) map[string]any {
	return p.activity("Announce", object, map[string]any{
		"published": p.published(),
		"to":        []any{ap.Public},
		"cc":        []any{p.Followers},
	})
}

// Reply is a Create of a public Note answering object (an id), with html
// as its content.
func (p *Peer) Reply(object, html string) map[string]any {
	note := p.Note(Post{Content: html, InReplyTo: object})
	create := map[string]any{
		"@context":  ap.ActivityStreamsNS,
		"id":        note["id"].(string) + "/activity",
		"type":      "Create",
		"actor":     p.ActorID,
		"published": note["published"],
		"to":        note["to"],
		"cc":        note["cc"],
		"object":    withoutContext(note),
	}
	p.store(create["id"].(string), create)
	return create
}

// Delete is the deletion of the user's own account, as Mastodon sends it.
func (p *Peer) Delete() map[string]any {
	return map[string]any{
		"@context": ap.ActivityStreamsNS,
		"id":       p.ActorID + "#delete",
		"type":     "Delete",
		"actor":    p.ActorID,
		"object":   p.ActorID,
		"to":       []any{ap.Public},
	}
}
