package fedtest

import (
	"context"
	"fmt"
	"slices"
)

// SetAlsoKnownAs sets the accounts the user's actor lists as its other
// names, as a Mastodon user does before moving an account to this one.
func (p *Peer) SetAlsoKnownAs(ids ...string) {
	p.mu.Lock()
	p.alsoKnownAs = append([]string(nil), ids...)
	p.mu.Unlock()
}

// SetMovedTo makes the actor say it moved to target ("" for not moved).
func (p *Peer) SetMovedTo(target string) {
	p.mu.Lock()
	p.movedTo = target
	p.mu.Unlock()
}

// CheckMove does what Mastodon's ActivityPub::Activity::Move does with a
// Move before it moves anyone: the object is the actor who sent it (the
// inbox checked the signer is the actor), the target, fetched from its
// own server, lists the origin in alsoKnownAs. It returns the target.
func (p *Peer) CheckMove(ctx context.Context, r Received) (string, error) {
	if r.Type() != "Move" {
		return "", fmt.Errorf("a %q, not a Move", r.Type())
	}
	if !r.Accepted() {
		return "", fmt.Errorf("the Move was refused: %s", r.Refused)
	}
	origin := r.Actor()
	if r.Object() != origin {
		return "", fmt.Errorf("Move of %q by %q", r.Object(), origin)
	}
	target := idOf(r.Activity["target"])
	if target == "" {
		return "", fmt.Errorf("Move without target")
	}
	doc, err := p.FetchActor(ctx, target)
	if err != nil {
		return "", err
	}
	if !slices.Contains(ids(doc["alsoKnownAs"]), origin) {
		return "", fmt.Errorf("target %s does not list %s in alsoKnownAs %v", target, origin, doc["alsoKnownAs"])
	}
	return target, nil
}

// ids reads a JSON-LD value holding one id or a list of them.
func ids(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, x := range list {
		if id := idOf(x); id != "" {
			out = append(out, id)
		}
	}
	return out
}
