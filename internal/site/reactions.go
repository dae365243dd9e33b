package site

import (
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

// ReactionStore is what a post page reads of the fediverse's answers: the
// store's Replies, Interactions and cached actors.
type ReactionStore interface {
	ListReplies(ctx context.Context, orgID int64, postID string, status newsroom.ReplyStatus, offset, limit int) ([]newsroom.Reply, error)
	CountInteractions(ctx context.Context, postID string) (likes, announces int, err error)
	RemoteActorsByIDs(ctx context.Context, ids []string) (map[string]newsroom.RemoteActor, error)
}

// maxPageReplies bounds the replies one page shows: replies are capped
// in size when they arrive, so a page stays light.
const maxPageReplies = 100

type reactionsView struct {
	Likes, Boosts int
	Replies       []replyView
}

type replyView struct {
	Author    view.Person
	Content   template.HTML
	Published time.Time
	URL       string // the reply on its author's server
}

// reactions gathers a post's counts and its approved replies, oldest
// first as a conversation reads.
func (h *Handler) reactions(ctx context.Context, p *newsroom.Post) (*reactionsView, error) {
	if h.reactionStore == nil {
		return nil, nil
	}
	v := &reactionsView{}
	var err error
	if v.Likes, v.Boosts, err = h.reactionStore.CountInteractions(ctx, p.ID); err != nil {
		return nil, fmt.Errorf("reactions to %s: %w", p.ID, err)
	}
	list, err := h.reactionStore.ListReplies(ctx, p.OrgID, p.ID, newsroom.ReplyApproved, 0, maxPageReplies)
	if err != nil {
		return nil, fmt.Errorf("replies to %s: %w", p.ID, err)
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ActorID
	}
	actors, err := h.reactionStore.RemoteActorsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("authors of replies to %s: %w", p.ID, err)
	}
	people := view.People(ids, actors)
	for _, r := range list {
		link := r.URL
		if link == "" {
			link = r.ObjectID
		}
		published := r.Published
		if published.IsZero() {
			published = r.CreatedAt
		}
		v.Replies = append(v.Replies, replyView{Author: people[r.ActorID], Published: published, URL: link,
			// Cleaned on arrival too, but a page must not depend on
			// every writer of the table.
			Content: template.HTML(htmltext.SanitizeRemote(r.ContentHTML))})
	}
	return v, nil
}
