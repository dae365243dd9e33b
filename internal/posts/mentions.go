package posts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/soga/newsroom/internal/newsroom"
)

// MaxMentions bounds the accounts one post may mention: each costs a
// WebFinger request and an actor fetch when the post is saved, and a
// delivery when it is published.
const MaxMentions = 20

// AccountResolver finds a remote account, "user@host", by WebFinger and
// its actor document, through the SSRF-safe client. An account its server
// does not know is an error matching newsroom.ErrNotFound; any other
// error means the server could not be asked.
type AccountResolver interface {
	Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error)
}

// mentionsOf is what the handles of a post's texts resolved to: by
// Handle.key for rendering, and the accounts in order, each once.
type mentionsOf struct {
	byKey map[string]newsroom.Mention
	list  []newsroom.Mention
}

// resolveMentions resolves the handles of in's body and translation and
// keeps them in in. Our own organisations are found in the database; the
// others are asked to their servers, all at once. A handle that does not
// resolve is a field error of the text it is in, naming it, except in a
// draft, where it stays text until the post is published; a bare @name
// that is none of our organisations is text.
func (s *Service) resolveMentions(ctx context.Context, in *PostInput, draft bool) error {
	type found struct {
		h     Handle
		field string
		m     newsroom.Mention
		err   error
	}
	var todo []*found
	seen := make(map[string]bool)
	add := func(field, md string) {
		for _, h := range s.render.Handles(md) {
			if !seen[h.key()] {
				seen[h.key()] = true
				todo = append(todo, &found{h: h, field: field})
			}
		}
	}
	add("body", in.Body)
	if in.Translation != nil {
		add("translation_body", in.Translation.Body)
	}
	v := &newsroom.ValidationError{}
	if len(todo) > MaxMentions {
		v.Add("body", "too_many_mentions")
		return v
	}
	var wg sync.WaitGroup
	for _, f := range todo {
		wg.Go(func() { f.m, f.err = s.resolveHandle(ctx, f.h) })
	}
	wg.Wait()
	in.mentions = mentionsOf{byKey: make(map[string]newsroom.Mention)}
	actors := make(map[string]bool)
	for _, f := range todo {
		switch {
		case f.err == nil:
			in.mentions.byKey[f.h.key()] = f.m
			if !actors[f.m.Actor] {
				actors[f.m.Actor] = true
				in.mentions.list = append(in.mentions.list, f.m)
			}
		case errors.Is(f.err, errBareUnknown):
		case errors.Is(f.err, newsroom.ErrNotFound):
			if !draft {
				v.Add(f.field, "mention_unknown @"+f.h.Acct())
			}
		case ctx.Err() != nil:
			return fmt.Errorf("resolve @%s: %w", f.h.Acct(), f.err)
		default:
			if !draft {
				v.Add(f.field, "mention_unreachable @"+f.h.Acct())
			}
		}
	}
	return v.Err()
}

// errBareUnknown: a bare @name that is none of our organisations.
var errBareUnknown = errors.New("not one of our organisations")

// resolveHandle finds the account h names.
func (s *Service) resolveHandle(ctx context.Context, h Handle) (newsroom.Mention, error) {
	if h.Host == "" || asciiHost(h.Host) == strings.ToLower(s.urls.Host()) {
		org, err := s.store.OrgByHandle(ctx, h.User)
		if errors.Is(err, newsroom.ErrNotFound) && h.Host == "" {
			return newsroom.Mention{}, errBareUnknown
		}
		if err != nil {
			return newsroom.Mention{}, err
		}
		id := s.urls.Org(org.Handle)
		return newsroom.Mention{Name: "@" + s.urls.Handle(org.Handle), Actor: id, URL: id}, nil
	}
	if s.mentions == nil {
		return newsroom.Mention{}, errors.New("no resolver of remote accounts here")
	}
	a, err := s.mentions.Resolve(ctx, h.Acct())
	if err != nil {
		return newsroom.Mention{}, err
	}
	m := newsroom.Mention{Name: "@" + h.User + "@" + asciiHost(h.Host), Actor: a.ID, URL: a.URL, Inbox: a.SharedInbox}
	if m.URL == "" {
		m.URL = a.ID
	}
	if m.Inbox == "" {
		m.Inbox = a.Inbox
	}
	return m, nil
}

// mergeInvalid adds the field errors of extra to those of err, so that a
// form shows every problem at once; an error that is not about fields
// wins.
func mergeInvalid(err, extra error) error {
	var v, w *newsroom.ValidationError
	switch {
	case extra == nil:
		return err
	case err == nil, !errors.As(extra, &w):
		return extra
	case !errors.As(err, &v):
		return err
	}
	for f, msg := range w.Fields {
		v.Add(f, msg)
	}
	return v
}

// mentionInboxes are the inboxes of the remote accounts among ms.
func mentionInboxes(ms []newsroom.Mention) []string {
	var inboxes []string
	for _, m := range ms {
		if m.Inbox != "" && !slices.Contains(inboxes, m.Inbox) {
			inboxes = append(inboxes, m.Inbox)
		}
	}
	return inboxes
}
