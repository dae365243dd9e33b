package posts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// wantConflict checks that err is a conflict carrying the post as stored.
func wantConflict(t *testing.T, s store.Store, err error, id string) *newsroom.Post {
	t.Helper()
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, newsroom.ErrConflict) {
		t.Fatalf("got %v, want a ConflictError", err)
	}
	stored, serr := s.PostByID(t.Context(), id)
	if serr != nil {
		t.Fatal(serr)
	}
	if ce.Current == nil || ce.Current.Version != stored.Version || ce.Current.Title != stored.Title {
		t.Fatalf("conflict carries %+v, want the stored post %+v", ce.Current, stored)
	}
	return stored
}

// Two editors load version 1 of a published post; the first saves, the
// second is refused with the first's post, and nothing of the second's
// reaches followers.
func TestUpdateOverAnotherEditIsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		p, err := f.svc.Publish(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		first, second := f.input(), f.input()
		first.Version, second.Version = p.Version, p.Version
		first.Title, second.Title = "Titre de la première", "Titre de la seconde"
		f.now = f.now.Add(time.Minute)
		if _, err := f.svc.Update(ctx, p.ID, first); err != nil {
			t.Fatal(err)
		}
		jobs := countJobs(t, s, "fanout")
		_, err = f.svc.Update(ctx, p.ID, second)
		stored := wantConflict(t, s, err, p.ID)
		if stored.Title != "Titre de la première" {
			t.Errorf("stored title %q", stored.Title)
		}
		if n := len(activities(t, s, f.org.ID, "Update")); n != 1 {
			t.Errorf("%d Update activities, want the first edit's only", n)
		}
		if n := countJobs(t, s, "fanout"); n != jobs {
			t.Errorf("fan-out jobs %d after the refused save, want %d", n, jobs)
		}
		// Saved over the current version, the second edit goes through.
		second.Version = stored.Version
		if _, err := f.svc.Update(ctx, p.ID, second); err != nil {
			t.Fatal(err)
		}
		// Version 0 is the command line's: unconditional.
		second.Version = 0
		if _, err := f.svc.Update(ctx, p.ID, second); err != nil {
			t.Fatal(err)
		}
	})
}

// Drafts and scheduled posts, saved or published over another edit, are
// refused the same way, before anything is scheduled or sent.
func TestUnpublishedOverAnotherEditIsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		draft, err := f.svc.SaveDraft(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		first, second := f.input(), f.input()
		first.ID, second.ID = draft.ID, draft.ID
		first.Version, second.Version = draft.Version, draft.Version
		first.Title, second.Title = "Première", "Seconde"
		first.PublishAt = f.now.Add(time.Hour)
		if _, err := f.svc.Publish(ctx, first); err != nil {
			t.Fatal(err)
		}
		publishJobs := countJobs(t, s, "publish")
		wantConflict(t, s, func() error { _, err := f.svc.SaveDraft(ctx, second); return err }(), draft.ID)
		wantConflict(t, s, func() error { _, err := f.svc.Publish(ctx, second); return err }(), draft.ID)
		second.PublishAt = f.now.Add(2 * time.Hour)
		stored := wantConflict(t, s, func() error { _, err := f.svc.Publish(ctx, second); return err }(), draft.ID)
		if stored.Status != newsroom.StatusScheduled || stored.Title != "Première" {
			t.Errorf("stored %s %q", stored.Status, stored.Title)
		}
		if n := countJobs(t, s, "fanout"); n != 0 {
			t.Errorf("%d fan-out jobs", n)
		}
		if n := countJobs(t, s, "publish"); n != publishJobs {
			t.Errorf("%d publish jobs, want %d", n, publishJobs)
		}
		// Deleted meanwhile: nothing to reconcile.
		if err := f.svc.Delete(ctx, draft.ID); err != nil {
			t.Fatal(err)
		}
		var ce *ConflictError
		if _, err := f.svc.SaveDraft(ctx, second); !errors.Is(err, ErrNotEditable) || errors.As(err, &ce) {
			t.Errorf("save over a deleted post: %v", err)
		}
	})
}

// staleReads is a store whose transactions read a post as it was one
// version earlier, as a transaction does that read just before another
// committed: only the store's conditional update can then refuse.
type staleReads struct{ store.Store }

func (s staleReads) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error { return fn(staleTx{tx}) })
}

type staleTx struct{ store.Tx }

func (tx staleTx) PostByID(ctx context.Context, id string) (*newsroom.Post, error) {
	p, err := tx.Tx.PostByID(ctx, id)
	if err == nil {
		p.Version--
	}
	return p, err
}

func TestUpdateRacingAnotherIsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		p, err := f.svc.Publish(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		loaded := p.Version
		first := f.input()
		first.Title = "Première"
		f.now = f.now.Add(time.Minute)
		if _, err := f.svc.Update(ctx, p.ID, first); err != nil {
			t.Fatal(err)
		}
		racing := New(Deps{Store: staleReads{s}, URLs: testURLs, Now: func() time.Time { return f.now },
			NewID: func() string { return f.idFor(f.ids.Add(1)) }})
		second := f.input()
		second.Version, second.Title = loaded, "Seconde"
		_, err = racing.Update(ctx, p.ID, second)
		if stored := wantConflict(t, s, err, p.ID); stored.Title != "Première" {
			t.Errorf("stored title %q", stored.Title)
		}
		if n := len(activities(t, s, f.org.ID, "Update")); n != 1 {
			t.Errorf("%d Update activities", n)
		}
	})
}
