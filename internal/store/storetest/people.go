package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func testUserTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := newUser(t, s, "ines@example.org"), newUser(t, s, "omar@example.org")
	invite := newsroom.UserToken{TokenHash: "h-invite", UserID: u.ID, Purpose: newsroom.TokenInvite,
		CreatedAt: t0.In(cet), ExpiresAt: t0.Add(48 * time.Hour)}
	ok(t, s.CreateUserToken(ctx, invite))
	reset := newsroom.UserToken{TokenHash: "h-reset", UserID: u.ID, Purpose: newsroom.TokenReset, ExpiresAt: t0.Add(time.Hour)}
	ok(t, s.CreateUserToken(ctx, reset))
	ok(t, s.CreateUserToken(ctx, newsroom.UserToken{TokenHash: "h-other", UserID: other.ID,
		Purpose: newsroom.TokenReset, ExpiresAt: t0.Add(time.Hour)}))
	wantErr(t, s.CreateUserToken(ctx, newsroom.UserToken{TokenHash: "h-reset", UserID: other.ID,
		Purpose: newsroom.TokenReset, ExpiresAt: t0.Add(time.Hour)}), newsroom.ErrConflict)

	got, err := s.UserTokenByHash(ctx, "h-invite", newsroom.TokenInvite, t0)
	ok(t, err)
	want := invite
	want.CreatedAt = t0
	equal(t, "UserTokenByHash", *got, want)
	_, err = s.UserTokenByHash(ctx, "h-invite", newsroom.TokenReset, t0)
	wantErr(t, err, newsroom.ErrNotFound)
	_, err = s.UserTokenByHash(ctx, "h-reset", newsroom.TokenReset, t0.Add(time.Hour))
	wantErr(t, err, newsroom.ErrNotFound) // expired at that instant
	_, err = s.ConsumeUserToken(ctx, "h-reset", newsroom.TokenReset, t0.Add(2*time.Hour))
	wantErr(t, err, newsroom.ErrNotFound)
	_, err = s.ConsumeUserToken(ctx, "h-invite", newsroom.TokenReset, t0)
	wantErr(t, err, newsroom.ErrNotFound) // another purpose spends nothing

	got, err = s.ConsumeUserToken(ctx, "h-invite", newsroom.TokenInvite, t0)
	ok(t, err)
	equal(t, "ConsumeUserToken", *got, want)
	_, err = s.ConsumeUserToken(ctx, "h-invite", newsroom.TokenInvite, t0)
	wantErr(t, err, newsroom.ErrNotFound)

	ok(t, s.DeleteUserTokens(ctx, u.ID))
	_, err = s.UserTokenByHash(ctx, "h-reset", newsroom.TokenReset, t0)
	wantErr(t, err, newsroom.ErrNotFound)
	_, err = s.UserTokenByHash(ctx, "h-other", newsroom.TokenReset, t0)
	ok(t, err) // another user's link stays

	// Pruning removes the links past their time, and only those.
	ok(t, s.CreateUserToken(ctx, newsroom.UserToken{TokenHash: "h-later", UserID: other.ID,
		Purpose: newsroom.TokenInvite, ExpiresAt: t0.Add(3 * time.Hour)}))
	n, err := s.DeleteExpiredUserTokens(ctx, t0.Add(2*time.Hour))
	ok(t, err)
	equal(t, "expired user tokens", n, int64(1))
	_, err = s.UserTokenByHash(ctx, "h-later", newsroom.TokenInvite, t0)
	ok(t, err)
}

// Two requests spending one link at once: exactly one gets the account.
func testUserTokenRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "race@example.org")
	ok(t, s.CreateUserToken(ctx, newsroom.UserToken{TokenHash: "h-race", UserID: u.ID,
		Purpose: newsroom.TokenInvite, ExpiresAt: t0.Add(time.Hour)}))
	const n = 8
	var wg sync.WaitGroup
	won := make(chan int64, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx store.Tx) error {
				tok, err := tx.ConsumeUserToken(ctx, "h-race", newsroom.TokenInvite, t0)
				if err != nil {
					return err
				}
				won <- tok.UserID
				return nil
			})
			if err != nil {
				wantErr(t, err, newsroom.ErrNotFound)
			}
		}()
	}
	wg.Wait()
	close(won)
	if len(won) != 1 {
		t.Fatalf("%d transactions spent the link, want 1", len(won))
	}
	equal(t, "winner's user", <-won, u.ID)
}

func testActorsByIDs(t *testing.T, s store.Store) {
	ctx := t.Context()
	ada := &newsroom.RemoteActor{ID: "https://social.example/users/ada", Host: "social.example",
		PreferredUsername: "ada", Name: "Ada ⁂", URL: "https://social.example/@ada", FetchedAt: t0}
	bob := &newsroom.RemoteActor{ID: "https://other.example/u/bob", Host: "other.example", FetchedAt: t0}
	ok(t, s.UpsertRemoteActor(ctx, ada))
	ok(t, s.UpsertRemoteActor(ctx, bob))
	got, err := s.RemoteActorsByIDs(ctx, []string{ada.ID, "https://gone.example/x", bob.ID})
	ok(t, err)
	equal(t, "RemoteActorsByIDs", got, map[string]newsroom.RemoteActor{ada.ID: *ada, bob.ID: *bob})
	got, err = s.RemoteActorsByIDs(ctx, nil)
	ok(t, err)
	equal(t, "RemoteActorsByIDs of none", len(got), 0)

	ada.URL = "https://social.example/@ada2"
	ok(t, s.UpsertRemoteActor(ctx, ada))
	one, err := s.RemoteActorByID(ctx, ada.ID)
	ok(t, err)
	equal(t, "URL after upsert", one.URL, ada.URL)
}
