// Package domains owns the administrators' list of blocked remote domains.
//
// Every request to an inbox is checked against it, so it is held in
// memory: asking the database costs a query (two when the host has a
// port) on the hottest path we have, for a list that changes a few times a
// year. Blocks made through this process (the admin pages) take effect at
// once; blocks made elsewhere (the command line, another instance on the
// same PostgreSQL) within MaxAge, when the list is read again. Where that
// window matters, callers ask the database itself (BlockedNow): a Follow
// must not bring back a follower that a block just removed.
package domains

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// MaxAge is how long the list is used before it is read again.
const MaxAge = 2 * time.Second

// Store is where blocks live.
type Store interface {
	AddDomainBlock(ctx context.Context, b newsroom.DomainBlock) error
	RemoveDomainBlock(ctx context.Context, domain string) error
	ListDomainBlocks(ctx context.Context) ([]newsroom.DomainBlock, error)
	IsDomainBlocked(ctx context.Context, host string) (bool, error)
}

// Blocklist is the list of blocked domains, cached.
type Blocklist struct {
	store Store
	pages newsroom.Invalidator
	now   func() time.Time

	mu      sync.Mutex
	domains map[string]bool // normalised; replaced, never modified
	loaded  time.Time
}

// New returns a Blocklist over s. Pages, which may be nil, is emptied
// after a block: follower counts on public pages change.
func New(s Store, pages newsroom.Invalidator) *Blocklist {
	if pages == nil {
		pages = newsroom.NoPages{}
	}
	return &Blocklist{store: s, pages: pages, now: time.Now}
}

// MaxReason bounds the reason given for a block, in bytes.
const MaxReason = 500

// BlockInput blocks the domain an administrator gave, as people paste it
// (a host, a URL or an account address), refusing what is not a domain
// name or a reason too long.
func (b *Blocklist) BlockInput(ctx context.Context, block newsroom.DomainBlock) error {
	domain, ok := normalise(block.Domain)
	var v newsroom.ValidationError
	switch {
	case !ok:
		v.Add("domain", "domain_invalid")
	case len(block.Reason) > MaxReason:
		v.Add("reason", "too_long")
	}
	if err := v.Err(); err != nil {
		return err
	}
	block.Domain = domain
	return b.Block(ctx, block)
}

// Block adds or updates a block of a host as given (a host and port
// too), which also removes the domain's followers.
func (b *Blocklist) Block(ctx context.Context, block newsroom.DomainBlock) error {
	defer b.forget()
	if err := b.store.AddDomainBlock(ctx, block); err != nil {
		return err
	}
	b.pages.Invalidate()
	return nil
}

// Unblock lifts a block.
func (b *Blocklist) Unblock(ctx context.Context, domain string) error {
	defer b.forget()
	return b.store.RemoveDomainBlock(ctx, domain)
}

// List returns every block, from the database.
func (b *Blocklist) List(ctx context.Context) ([]newsroom.DomainBlock, error) {
	return b.store.ListDomainBlocks(ctx)
}

// Blocked reports whether host (a host name, with or without a port) or
// one of its parent domains is blocked. A block names a domain, so it
// covers every port: "evil.example:8443" is blocked by "evil.example".
func (b *Blocklist) Blocked(ctx context.Context, host string) (bool, error) {
	domains, err := b.current(ctx)
	if err != nil {
		return false, err
	}
	return matches(domains, host), nil
}

// BlockedNow is Blocked as the database says it at this moment.
func (b *Blocklist) BlockedNow(ctx context.Context, host string) (bool, error) {
	for _, h := range candidates(host) {
		blocked, err := b.store.IsDomainBlocked(ctx, h)
		if err != nil || blocked {
			return blocked, err
		}
	}
	return false, nil
}

func (b *Blocklist) forget() {
	b.mu.Lock()
	b.domains = nil
	b.mu.Unlock()
}

// current returns the list, read again when older than MaxAge. Readers
// wait for one reload rather than each running it.
func (b *Blocklist) current(ctx context.Context) (map[string]bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if b.domains != nil && now.Sub(b.loaded) < MaxAge && !now.Before(b.loaded) {
		return b.domains, nil
	}
	blocks, err := b.store.ListDomainBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("domains: read blocks: %w", err)
	}
	domains := make(map[string]bool, len(blocks))
	for _, bl := range blocks {
		domains[store.NormaliseHost(bl.Domain)] = true
	}
	b.domains, b.loaded = domains, now
	return domains, nil
}

// candidates are the forms of host a block may name: as given and, when it
// has a port, without it.
func candidates(host string) []string {
	host = store.NormaliseHost(host)
	if name := store.StripPort(host); name != host {
		return []string{host, name}
	}
	return []string{host}
}

// matches is the store's rule (a block of example.com covers
// social.example.com) applied to every candidate.
func matches(domains map[string]bool, host string) bool {
	if len(domains) == 0 {
		return false
	}
	for _, h := range candidates(host) {
		for {
			if domains[h] {
				return true
			}
			i := strings.IndexByte(h, '.')
			if i < 0 {
				break
			}
			h = h[i+1:]
		}
	}
	return false
}
