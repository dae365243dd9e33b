package fedtest

import (
	"context"
	"fmt"
)

// Quotes as Mastodon 4.5 makes them (FEP-044f): the quoting status names
// the quoted one in quote (and _misskey_quote for older servers); the
// QuoteRequest's object is the quoted status and its instrument the
// quoting one, embedded.

// Quote builds and stores a status of the user quoting object (an id).
func (p *Peer) Quote(object, html string) map[string]any {
	note := p.Note(Post{Content: html})
	note["quote"], note["_misskey_quote"] = object, object
	p.store(note["id"].(string), note)
	return note
}

// QuoteRequest asks the author of the quoted status for consent to
// note, a status of the user made by Quote.
func (p *Peer) QuoteRequest(note map[string]any) map[string]any {
	return p.activity("QuoteRequest", note["quote"], map[string]any{"instrument": withoutContext(note)})
}

// QuoteAnswer waits for the Accept or Reject of request, delivered to the
// user and verified.
func (p *Peer) QuoteAnswer(ctx context.Context, request map[string]any) (Received, error) {
	return p.WaitFor(ctx, func(r Received) bool {
		return r.Accepted() && (r.Type() == "Accept" || r.Type() == "Reject") && r.Object() == request["id"]
	})
}

// CheckAuthorization does what Mastodon does with an Accept of a quote:
// it fetches the authorization the result names and checks that the
// quoted status's author gave it, for this quoted status and this quoting
// one. It returns the authorization's id.
func (p *Peer) CheckAuthorization(ctx context.Context, accept Received, note map[string]any, author string) (string, error) {
	id := idOf(accept.Activity["result"])
	if id == "" {
		return "", fmt.Errorf("accept %v has no result", accept.Activity["id"])
	}
	if accept.Actor() != author {
		return "", fmt.Errorf("accept by %s, want the quoted author %s", accept.Actor(), author)
	}
	doc, err := p.Fetch(ctx, id)
	if err != nil {
		return "", err
	}
	switch {
	case doc["type"] != "QuoteAuthorization":
		return "", fmt.Errorf("authorization type %v", doc["type"])
	case idOf(doc["attributedTo"]) != author:
		return "", fmt.Errorf("authorization attributed to %v", doc["attributedTo"])
	case idOf(doc["interactionTarget"]) != note["quote"]:
		return "", fmt.Errorf("authorization target %v, want %v", doc["interactionTarget"], note["quote"])
	case idOf(doc["interactingObject"]) != note["id"]:
		return "", fmt.Errorf("authorization object %v, want %v", doc["interactingObject"], note["id"])
	}
	return id, nil
}
