package users

import (
	"errors"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// An invited account cannot log in until its link sets a password; the
// link then works no more, and the password logs in.
func TestInvitation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		s := New(st)
		ctx := t.Context()
		link, err := s.Invite(ctx, NewUser{Email: "Ines@Example.org", Name: "Inès", Lang: "fr", Password: "ignored password"})
		if err != nil {
			t.Fatal(err)
		}
		if link.User.Email != "ines@example.org" || link.Token == "" || !link.Expires.After(time.Now().Add(InviteLifetime-time.Minute)) {
			t.Fatalf("link %+v", link)
		}
		if _, err := s.Authenticate(ctx, "ines@example.org", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("an invited account logged in with an empty password: %v", err)
		}
		if _, err := s.CheckLink(ctx, link.Token, newsroom.TokenReset); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("an invitation worked as a reset link: %v", err)
		}
		u, err := s.CheckLink(ctx, link.Token, newsroom.TokenInvite)
		if err != nil || u.ID != link.User.ID {
			t.Fatalf("check: %v %v", u, err)
		}
		var v *newsroom.ValidationError
		if _, err := s.UseLink(ctx, link.Token, newsroom.TokenInvite, "short"); !errors.As(err, &v) || v.Fields["password"] == "" {
			t.Fatalf("short password: %v", err)
		}
		if _, err := s.UseLink(ctx, link.Token, newsroom.TokenInvite, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "ines@example.org", "correct horse battery"); err != nil {
			t.Fatalf("login with the chosen password: %v", err)
		}
		if _, err := s.UseLink(ctx, link.Token, newsroom.TokenInvite, "another password 1"); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("second use: %v", err)
		}
	})
}

// A reset link ends the account's sessions when used; a newer link, or a
// password change, ends an older link; an expired one does nothing.
func TestResetLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		s := New(st)
		ctx := t.Context()
		u, err := s.Create(ctx, NewUser{Email: "omar@example.org", Password: "old password 123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateSession(ctx, newsroom.Session{TokenHash: "sess", UserID: u.ID, CSRFToken: "c",
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		first, err := s.ResetLink(ctx, u.ID, ResetLifetime)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.ResetLink(ctx, u.ID, ResetLifetime)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckLink(ctx, first.Token, newsroom.TokenReset); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("an older link still works: %v", err)
		}
		if _, err := s.UseLink(ctx, second.Token, newsroom.TokenReset, "new password 456"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByTokenHash(ctx, "sess", time.Now()); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("the session survived the reset: %v", err)
		}
		if _, err := s.Authenticate(ctx, "omar@example.org", "old password 123"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("old password: %v", err)
		}

		// A password changed otherwise ends the links out there.
		third, err := s.ResetLink(ctx, u.ID, ResetLifetime)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, u.ID, "changed on the account page"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckLink(ctx, third.Token, newsroom.TokenReset); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("a link survived a password change: %v", err)
		}

		// Expired.
		old, err := s.ResetLink(ctx, u.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		if _, err := s.UseLink(ctx, old.Token, newsroom.TokenReset, "too late password"); !errors.Is(err, newsroom.ErrNotFound) {
			t.Fatalf("expired link: %v", err)
		}

		// By address: nothing, and no error, for an unknown one.
		if l, err := s.ResetLinkByEmail(ctx, "nobody@example.org"); l != nil || err != nil {
			t.Fatalf("unknown address: %v %v", l, err)
		}
		if l, err := s.ResetLinkByEmail(ctx, "OMAR@example.org"); err != nil || l.User.ID != u.ID {
			t.Fatalf("known address: %v %v", l, err)
		}
	})
}
