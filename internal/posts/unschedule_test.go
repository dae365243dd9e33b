package posts

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestUnschedule(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		in := f.input()
		in.PublishAt = f.now.Add(time.Hour)
		p, err := f.svc.Publish(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Unschedule(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != newsroom.StatusDraft || !got.PublishAt.IsZero() || got.Title != in.Title {
			t.Fatalf("unscheduled: %s at %v, title %q", got.Status, got.PublishAt, got.Title)
		}
		// Twice is harmless, and its time passing publishes nothing.
		if _, err := f.svc.Unschedule(ctx, p.ID); err != nil {
			t.Fatalf("unschedule a draft: %v", err)
		}
		f.now = f.now.Add(2 * time.Hour)
		if err := f.svc.PublishScheduled(ctx, p.ID, in.PublishAt); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.PostByID(ctx, p.ID); got.Status != newsroom.StatusDraft {
			t.Fatalf("the old job published the draft: %s", got.Status)
		}
		if n := len(activities(t, s, f.org.ID, "Create")); n != 0 {
			t.Fatalf("%d Create activities for an unscheduled post", n)
		}
		// A published post cannot be unscheduled.
		in2 := f.input()
		pub, err := f.svc.Publish(ctx, in2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Unschedule(ctx, pub.ID); !errors.Is(err, ErrAlreadyPublished) {
			t.Errorf("unschedule a published post: %v", err)
		}
	})
}

// The editor unschedules a post at the moment the scheduler publishes it:
// whichever commits first wins, and the post ends either published, with
// the editor told so, or a draft that no follower received.
func TestUnscheduleRacesThePublisher(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		const rounds = 12
		var ids []string
		var ats []time.Time
		for i := range rounds {
			in := f.input()
			in.PublishAt = f.now.Add(time.Hour + time.Duration(i)*time.Second)
			p, err := f.svc.Publish(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			ids, ats = append(ids, p.ID), append(ats, p.PublishAt)
		}
		f.now = f.now.Add(2 * time.Hour)
		outcomes := map[newsroom.PostStatus]int{}
		for i, id := range ids {
			var wg sync.WaitGroup
			start := make(chan struct{})
			var pubErr, unErr error
			wg.Go(func() { <-start; pubErr = f.svc.PublishScheduled(ctx, id, ats[i]) })
			wg.Go(func() { <-start; _, unErr = f.svc.Unschedule(ctx, id) })
			close(start)
			wg.Wait()
			// A publisher refused by the version check is retried by
			// River: the retry must find nothing to do.
			var ce *ConflictError
			if errors.As(pubErr, &ce) {
				pubErr = f.svc.PublishScheduled(ctx, id, ats[i])
			}
			if pubErr != nil {
				t.Fatalf("publisher: %v", pubErr)
			}
			got, err := s.PostByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			creates := 0
			for _, a := range activities(t, s, f.org.ID, "Create") {
				if a.PostID == id {
					creates++
				}
			}
			switch got.Status {
			case newsroom.StatusPublished:
				if !errors.Is(unErr, ErrAlreadyPublished) || creates != 1 {
					t.Errorf("round %d published: unschedule said %v, %d Create", i, unErr, creates)
				}
			case newsroom.StatusDraft:
				if unErr != nil || creates != 0 {
					t.Errorf("round %d draft: unschedule said %v, %d Create", i, unErr, creates)
				}
			default:
				t.Errorf("round %d ended %s", i, got.Status)
			}
			outcomes[got.Status]++
		}
		t.Logf("outcomes over %d rounds: %v", rounds, outcomes)
	})
}
