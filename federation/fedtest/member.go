package fedtest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/soga/newsroom/federation/ap"
)

// The peer as a member's own account: it answers Follows as told, keeps
// its followers, and publishes posts to them as Mastodon does (a signed
// Create per follower inbox, then Update or Delete).

// AnswerFollows makes the peer answer each verified Follow of its user
// with typ, "Accept" or "Reject", as Mastodon does for an unlocked or a
// refusing account; "" (the default) leaves Follows unanswered.
func (p *Peer) AnswerFollows(typ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.followAnswer = typ
}

// FollowerIDs returns the actor ids that follow the user, in order.
func (p *Peer) FollowerIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, len(p.followers))
	for i, f := range p.followers {
		ids[i] = f.actor
	}
	return ids
}

type follower struct {
	actor, inbox string
}

// applyReceived applies what Mastodon would of an accepted activity: a
// Follow of the user is answered (after the 202, as Mastodon's workers
// do) and its actor kept; an Undo of it forgets the actor before the 202.
func (p *Peer) applyReceived(activity map[string]any) {
	switch activity["type"] {
	case "Follow":
		if idOf(activity["object"]) != p.ActorID {
			return
		}
		p.mu.Lock()
		answer := p.followAnswer
		p.mu.Unlock()
		if answer == "" {
			return
		}
		go p.answerFollow(activity, answer)
	case "Undo":
		inner, _ := activity["object"].(map[string]any)
		if inner["type"] == "Follow" {
			p.forget(idOf(activity["actor"]))
		}
	}
}

func (p *Peer) answerFollow(follow map[string]any, typ string) {
	ctx := context.Background()
	actorID := idOf(follow["actor"])
	actor, err := p.FetchActor(ctx, actorID)
	if err != nil {
		return
	}
	inbox, _ := actor["inbox"].(string)
	if typ == "Accept" {
		p.mu.Lock()
		if !slices.ContainsFunc(p.followers, func(f follower) bool { return f.actor == actorID }) {
			p.followers = append(p.followers, follower{actor: actorID, inbox: inbox})
		}
		p.mu.Unlock()
	}
	resp, err := p.Send(ctx, inbox, p.activity(typ, withoutContext(follow), nil))
	if err == nil {
		resp.Body.Close()
	}
}

func (p *Peer) forget(actorID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.followers = slices.DeleteFunc(p.followers, func(f follower) bool { return f.actor == actorID })
}

// Post describes a status the user publishes.
type Post struct {
	Content   string   // HTML
	Tags      []string // hashtags, without '#'
	Lang      string   // "" for none
	InReplyTo string   // id of the status it answers
	Sensitive bool
	// Private addresses it to the followers only, not to Public.
	Private bool
}

// Note builds and stores a status of the user, served at its id.
func (p *Peer) Note(post Post) map[string]any {
	id := p.newID("statuses")
	note := map[string]any{
		"@context":     ap.ActivityStreamsNS,
		"id":           id,
		"type":         "Note",
		"attributedTo": p.ActorID,
		"content":      post.Content,
		"published":    p.published(),
		"url":          id,
		"sensitive":    post.Sensitive,
	}
	p.address(note, post.Private)
	if post.Lang != "" {
		note["contentMap"] = map[string]any{post.Lang: post.Content}
	}
	if post.InReplyTo != "" {
		note["inReplyTo"] = post.InReplyTo
	}
	var tags []any
	for _, t := range post.Tags {
		tags = append(tags, map[string]any{"type": "Hashtag", "name": "#" + t, "href": p.URL + "/tags/" + strings.ToLower(t)})
	}
	if tags != nil {
		note["tag"] = tags
	}
	p.store(id, note)
	return note
}

// address makes a document public (Public in to, followers in cc), or
// for the followers only.
func (p *Peer) address(doc map[string]any, private bool) {
	if private {
		doc["to"], doc["cc"] = []any{p.Followers}, []any{}
		return
	}
	doc["to"], doc["cc"] = []any{ap.Public}, []any{p.Followers}
}

// CreateOf is the Create carrying note, embedded as Mastodon does.
func (p *Peer) CreateOf(note map[string]any) map[string]any {
	return p.activity("Create", withoutContext(note), map[string]any{
		"published": note["published"], "to": note["to"], "cc": note["cc"],
	})
}

// Publish makes a status and delivers its Create to every follower; it
// returns the status (the Note) and the Create.
func (p *Peer) Publish(ctx context.Context, post Post) (note, create map[string]any, err error) {
	note = p.Note(post)
	create = p.CreateOf(note)
	return note, create, p.Deliver(ctx, create)
}

// Edit changes a status's content and audience, and delivers the Update.
func (p *Peer) Edit(ctx context.Context, note map[string]any, content string, private bool) (map[string]any, error) {
	edited := make(map[string]any, len(note))
	for k, v := range note {
		edited[k] = v
	}
	edited["content"], edited["updated"] = content, p.published()
	if cm, ok := edited["contentMap"].(map[string]any); ok {
		for l := range cm {
			edited["contentMap"] = map[string]any{l: content}
		}
	}
	p.address(edited, private)
	p.store(idOf(edited), edited)
	update := p.activity("Update", withoutContext(edited), map[string]any{"to": edited["to"], "cc": edited["cc"]})
	return update, p.Deliver(ctx, update)
}

// DeleteStatus deletes a status and delivers the Delete, with a
// Tombstone as Mastodon sends it.
func (p *Peer) DeleteStatus(ctx context.Context, noteID string) (map[string]any, error) {
	del := p.activity("Delete", map[string]any{"id": noteID, "type": "Tombstone", "atomUri": noteID},
		map[string]any{"to": []any{ap.Public}})
	p.mu.Lock()
	delete(p.objects, strings.TrimPrefix(noteID, p.URL))
	p.mu.Unlock()
	return del, p.Deliver(ctx, del)
}

// Deliver sends activity to every follower's inbox, once per inbox.
func (p *Peer) Deliver(ctx context.Context, activity map[string]any) error {
	p.mu.Lock()
	var inboxes []string
	for _, f := range p.followers {
		if !slices.Contains(inboxes, f.inbox) {
			inboxes = append(inboxes, f.inbox)
		}
	}
	p.mu.Unlock()
	for _, inbox := range inboxes {
		resp, err := p.Send(ctx, inbox, activity)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("deliver %s to %s: status %d", activity["type"], inbox, resp.StatusCode)
		}
	}
	return nil
}

func withoutContext(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "@context" {
			out[k] = v
		}
	}
	return out
}

// Accept accepts follow (a Follow as received), embedding it as Mastodon
// does; Reject refuses it.
func (p *Peer) Accept(follow map[string]any) map[string]any {
	return p.activity("Accept", withoutContext(follow), nil)
}

// Reject refuses follow, or ends it after it was accepted.
func (p *Peer) Reject(follow map[string]any) map[string]any {
	return p.activity("Reject", withoutContext(follow), nil)
}

// Block blocks target (an actor id).
func (p *Peer) Block(target string) map[string]any {
	return p.activity("Block", target, nil)
}

// Move announces that the user moved to target (an actor id).
func (p *Peer) Move(target string) map[string]any {
	return p.activity("Move", p.ActorID, map[string]any{"target": target})
}
