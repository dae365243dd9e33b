package upkeep

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// Prune keeps the inbox activities of the deduplication window and the
// live sessions, and deletes the rest, across several batches.
func TestPrune(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		now := time.Now().UTC().Truncate(time.Second)
		old := batch + 5 // more than one DELETE's worth
		var records []newsroom.InboxRecord
		for i := range old + 3 {
			at := now.Add(-InboxRetention - time.Hour)
			if i >= old {
				at = now.Add(-InboxRetention + time.Hour)
			}
			records = append(records, newsroom.InboxRecord{Activity: newsroom.InboxActivity{
				ID: fmt.Sprintf("https://a.example/likes/%d", i), ActorID: "https://a.example/users/ada",
				Type: "Like", Raw: []byte(`{}`), ReceivedAt: at}})
		}
		if _, err := s.RecordInboxActivities(ctx, records); err != nil {
			t.Fatal(err)
		}
		u := &newsroom.User{Email: "ada@example.org"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		for i, exp := range []time.Time{now.Add(-time.Minute), now.Add(time.Hour)} {
			if err := s.CreateSession(ctx, newsroom.Session{TokenHash: fmt.Sprint(i), UserID: u.ID, CreatedAt: now, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
		}

		svc := New(s, slog.New(slog.DiscardHandler))
		svc.now = func() time.Time { return now }
		p, err := svc.Prune(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Pruned{InboxActivities: int64(old), Sessions: 1}); p != want {
			t.Errorf("pruned %+v, want %+v", p, want)
		}
		for i, kept := range map[int]bool{0: false, old - 1: false, old: true, old + 2: true} {
			_, err := s.InboxActivityByID(ctx, fmt.Sprintf("https://a.example/likes/%d", i), "https://a.example/users/ada")
			if (err == nil) != kept {
				t.Errorf("activity %d: kept %v, want %v", i, err == nil, kept)
			}
		}
		if _, err := s.SessionByTokenHash(ctx, "1", now); err != nil {
			t.Errorf("live session: %v", err)
		}
		if p, err = svc.Prune(ctx); err != nil || p != (Pruned{}) {
			t.Errorf("second prune: %+v, %v", p, err)
		}
	})
}

// Compact folds every finished fan-out, more than one look's worth, and
// leaves one still under way.
func TestCompact(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		org := &newsroom.Organisation{Handle: "soga", Name: "Soga", ActorType: "Organization", DefaultLang: "fr", DefaultObjectType: "Note"}
		if err := s.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		inboxes := []string{"https://a.example/inbox", "https://b.example/inbox"}
		for i := range compactBatch + 2 {
			id := fmt.Sprintf("01A%04d", i)
			if err := s.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: org.ID, Type: "Create", JSON: []byte("{}")}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDeliveries(ctx, id, inboxes); err != nil {
				t.Fatal(err)
			}
			settled := []newsroom.Delivery{{ActivityID: id, Inbox: inboxes[0], Status: newsroom.DeliveryDelivered, Attempts: 1}}
			if i > 0 { // the first keeps a delivery pending
				settled = append(settled, newsroom.Delivery{ActivityID: id, Inbox: inboxes[1], Status: newsroom.DeliveryDelivered, Attempts: 1})
			}
			if err := s.UpdateDeliveries(ctx, settled); err != nil {
				t.Fatal(err)
			}
			if err := s.FanoutDone(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		svc := New(s, slog.New(slog.DiscardHandler))
		c, err := svc.Compact(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Compacted{Activities: compactBatch + 1, Rows: 2 * (compactBatch + 1)}); c != want {
			t.Errorf("compacted %+v, want %+v", c, want)
		}
		p, err := s.DeliveryProgress(ctx, "01A0000")
		if err != nil || p != (newsroom.DeliveryProgress{Total: 2, Delivered: 1, Pending: 1}) {
			t.Errorf("fan-out under way: %+v, %v", p, err)
		}
		if c, err = svc.Compact(ctx); err != nil || c != (Compacted{}) {
			t.Errorf("second compaction: %+v, %v", c, err)
		}
	})
}
