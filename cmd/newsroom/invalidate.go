package main

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/site"
	"github.com/soga/newsroom/internal/store"
)

// invalidating is the store handed to services that write what public
// pages show (posts, organisations): every committed write empties the
// page cache, so the next reader sees it. Inbox traffic (likes, follows)
// goes through the plain store and leaves the cache alone, or a burst of
// reactions to a new post would keep emptying it during the stampede.
type invalidating struct {
	store.Store
	cache site.Invalidator
}

func (s invalidating) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.Store.InTx(ctx, fn)
	if err == nil {
		s.cache.Invalidate()
	}
	return err
}

func (s invalidating) CreatePost(ctx context.Context, p *newsroom.Post) error {
	return s.after(s.Store.CreatePost(ctx, p))
}

func (s invalidating) UpdatePost(ctx context.Context, p *newsroom.Post) error {
	return s.after(s.Store.UpdatePost(ctx, p))
}

func (s invalidating) CreateOrg(ctx context.Context, o *newsroom.Organisation) error {
	return s.after(s.Store.CreateOrg(ctx, o))
}

func (s invalidating) UpdateOrg(ctx context.Context, o *newsroom.Organisation) error {
	return s.after(s.Store.UpdateOrg(ctx, o))
}

func (s invalidating) after(err error) error {
	if err == nil {
		s.cache.Invalidate()
	}
	return err
}
