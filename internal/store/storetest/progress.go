package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// countRows is the progress of activityID counted afresh, one row at a
// time, plus the deliveries compaction folded (which the caller knows):
// what DeliveryProgress must read from the counts kept with the rows.
func countRows(t *testing.T, s store.Queries, activityID string, folded int, compacted bool) newsroom.DeliveryProgress {
	t.Helper()
	rows, err := s.ListDeliveries(t.Context(), activityID, "", 0)
	ok(t, err)
	p := newsroom.DeliveryProgress{Total: folded, Delivered: folded, Compacted: compacted}
	for _, d := range rows {
		p.Total++
		switch d.Status {
		case newsroom.DeliveryDelivered:
			p.Delivered++
		case newsroom.DeliveryFailed:
			p.Failed++
		case newsroom.DeliveryPending:
			p.Pending++
			if d.Attempts > 0 {
				p.Retrying++
			}
		default:
			t.Fatalf("delivery to %s has status %q", d.Inbox, d.Status)
		}
	}
	return p
}

// checkCounts fails t when DeliveryProgress disagrees with the rows.
func checkCounts(t *testing.T, s store.Queries, what, activityID string, folded int, compacted bool) {
	t.Helper()
	got, err := s.DeliveryProgress(t.Context(), activityID)
	ok(t, err)
	equal(t, what, got, countRows(t, s, activityID, folded, compacted))
}

// Every kind of write to deliveries keeps the counts the progress reads
// equal to the rows, for the activity written and no other.
func testDeliveryCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	inboxes := deliveryFixture(t, s, "01K", 12)
	other := deliveryFixture(t, s, "01L", 3)
	checkCounts(t, s, "created", "01K", 0, false)
	ok(t, s.CreateDeliveries(ctx, "01K", append(inboxes[8:], "https://late.example/inbox")))
	inboxes = append(inboxes, "https://late.example/inbox")
	checkCounts(t, s, "created again, one new", "01K", 0, false)
	equal(t, "total", countRows(t, s, "01K", 0, false).Total, 13)

	row := func(i int, status newsroom.DeliveryStatus, attempts int) newsroom.Delivery {
		return newsroom.Delivery{ActivityID: "01K", Inbox: inboxes[i], Status: status, Attempts: attempts, UpdatedAt: t0}
	}
	steps := []struct {
		what   string
		writes []newsroom.Delivery
	}{
		{"delivered", []newsroom.Delivery{row(0, newsroom.DeliveryDelivered, 1)}},
		{"to be retried", []newsroom.Delivery{row(1, newsroom.DeliveryPending, 1)}},
		{"retried again, same count", []newsroom.Delivery{row(1, newsroom.DeliveryPending, 2)}},
		{"only the error changes", []newsroom.Delivery{{ActivityID: "01K", Inbox: inboxes[1],
			Status: newsroom.DeliveryPending, Attempts: 2, LastError: "503", Reason: "status:503", UpdatedAt: t0}}},
		{"failed for good", []newsroom.Delivery{row(2, newsroom.DeliveryFailed, 1)}},
		{"a retry delivered", []newsroom.Delivery{row(1, newsroom.DeliveryDelivered, 3)}},
		{"a failure delivered after all", []newsroom.Delivery{row(2, newsroom.DeliveryDelivered, 2)}},
		{"back to pending, not retrying", []newsroom.Delivery{row(2, newsroom.DeliveryPending, 0)}},
		{"an unknown inbox", []newsroom.Delivery{{ActivityID: "01K", Inbox: "https://none.example/inbox",
			Status: newsroom.DeliveryDelivered, Attempts: 1}}},
	}
	for _, st := range steps {
		err := s.UpdateDelivery(ctx, st.writes[0])
		if st.what == "an unknown inbox" {
			wantErr(t, err, newsroom.ErrNotFound)
		} else {
			ok(t, err)
		}
		checkCounts(t, s, st.what, "01K", 0, false)
	}

	// A batch of outcomes: several rows into one count, one out of it,
	// a row of another activity, one that does not exist.
	ok(t, s.UpdateDeliveries(ctx, []newsroom.Delivery{
		row(3, newsroom.DeliveryDelivered, 1), row(4, newsroom.DeliveryDelivered, 1), row(5, newsroom.DeliveryDelivered, 1),
		row(6, newsroom.DeliveryPending, 1), row(7, newsroom.DeliveryFailed, 1), row(0, newsroom.DeliveryDelivered, 2),
		{ActivityID: "01L", Inbox: other[0], Status: newsroom.DeliveryFailed, Attempts: 1},
		{ActivityID: "01K", Inbox: "https://none.example/inbox", Status: newsroom.DeliveryDelivered, Attempts: 1},
	}))
	checkCounts(t, s, "a batch", "01K", 0, false)
	checkCounts(t, s, "the other activity", "01L", 0, false)
	// The same batch in a transaction that rolls back counts nothing.
	err := s.InTx(ctx, func(tx store.Tx) error {
		ok(t, tx.UpdateDelivery(ctx, row(8, newsroom.DeliveryDelivered, 1)))
		return fmt.Errorf("roll back")
	})
	if err == nil {
		t.Fatal("InTx returned nil for a failing fn")
	}
	checkCounts(t, s, "rolled back", "01K", 0, false)

	// Everything settled, the fan-out over: compaction folds the
	// delivered rows, and the counts follow the DELETE.
	var settled []newsroom.Delivery
	for i := range inboxes {
		if i != 7 {
			settled = append(settled, row(i, newsroom.DeliveryDelivered, 1))
		}
	}
	ok(t, s.UpdateDeliveries(ctx, settled))
	ok(t, s.FanoutDone(ctx, "01K"))
	n, err := s.CompactDeliveries(ctx, "01K")
	ok(t, err)
	equal(t, "compacted", n, int64(len(inboxes)-1))
	checkCounts(t, s, "compacted", "01K", int(n), true)
	p, err := s.DeliveryProgress(ctx, "01K")
	ok(t, err)
	equal(t, "compacted progress", p, newsroom.DeliveryProgress{Total: 13, Delivered: 12, Failed: 1, Compacted: true})

	// The failure delivered late is folded by the next compaction.
	ok(t, s.UpdateDeliveries(ctx, []newsroom.Delivery{row(7, newsroom.DeliveryDelivered, 2)}))
	checkCounts(t, s, "late success", "01K", int(n), true)
	late, err := s.CompactDeliveries(ctx, "01K")
	ok(t, err)
	checkCounts(t, s, "late success folded", "01K", int(n+late), true)
	checkCounts(t, s, "the other activity at the end", "01L", 0, false)
}

// Outcomes recorded at once by several writers, each batch touching two
// fan-outs (two instances' group commits), keep the counts of both equal
// to their rows.
func testDeliveryCountsConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers, per = 8, 60
	a := deliveryFixture(t, s, "01M", writers*per)
	b := deliveryFixture(t, s, "01N", writers*per)
	statuses := []newsroom.DeliveryStatus{newsroom.DeliveryDelivered, newsroom.DeliveryPending, newsroom.DeliveryFailed}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Go(func() {
			// Each writer owns its inboxes, as each delivery belongs to
			// one job; every round moves them to another count.
			for round := range 6 {
				var ds []newsroom.Delivery
				for i := w * per; i < (w+1)*per; i++ {
					st := statuses[(i+round)%len(statuses)]
					ds = append(ds,
						newsroom.Delivery{ActivityID: "01N", Inbox: b[i], Status: st, Attempts: round % 2},
						newsroom.Delivery{ActivityID: "01M", Inbox: a[i], Status: st, Attempts: (round + i) % 3})
				}
				for len(ds) > 0 {
					k := min(len(ds), 16+w)
					if err := s.UpdateDeliveries(ctx, ds[:k]); err != nil {
						errs[w] = err
						return
					}
					ds = ds[k:]
				}
			}
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	checkCounts(t, s, "after concurrent outcomes", "01M", 0, false)
	checkCounts(t, s, "the other fan-out", "01N", 0, false)
	p, err := s.DeliveryProgress(ctx, "01M")
	ok(t, err)
	equal(t, "total", p.Total, writers*per)
}

// CheckDeliveryCountsMigration checks migration 0015 on a backend's
// empty, unmigrated database: deliveries written by the schema before it
// are counted by its backfill, and the counts then follow the rows, up
// to the cascade when an activity is deleted. migrateBefore applies every
// migration older than version; deleteActivity deletes an activity row
// the way only SQL does (no code path deletes one yet).
func CheckDeliveryCountsMigration(t *testing.T, s migratingStore, migrateBefore func(version int), deleteActivity func(id string)) {
	t.Helper()
	ctx := t.Context()
	migrateBefore(15)
	inboxes := deliveryFixture(t, s, "01B", 40)
	deliveryFixture(t, s, "01E", 2)
	var ds []newsroom.Delivery
	for i, in := range inboxes[:30] {
		d := newsroom.Delivery{ActivityID: "01B", Inbox: in, Status: newsroom.DeliveryDelivered, Attempts: 1}
		switch i % 5 {
		case 1:
			d.Status = newsroom.DeliveryPending
		case 2:
			d.Status = newsroom.DeliveryFailed
		}
		ds = append(ds, d)
	}
	ok(t, s.UpdateDeliveries(ctx, ds))
	want := countRows(t, s, "01B", 0, false)
	equal(t, "rows before the migration", want, newsroom.DeliveryProgress{Total: 40, Delivered: 18, Pending: 16, Retrying: 6, Failed: 6})

	ok(t, s.Migrate(ctx))
	checkCounts(t, s, "counted by the migration", "01B", 0, false)
	checkCounts(t, s, "the other activity", "01E", 0, false)
	settle(t, s, "01B", inboxes[39], newsroom.DeliveryDelivered, 1, "")
	checkCounts(t, s, "an outcome after the migration", "01B", 0, false)

	// An activity deleted takes its rows and its counts along.
	deleteActivity("01B")
	p, err := s.DeliveryProgress(ctx, "01B")
	ok(t, err)
	equal(t, "progress of a deleted activity", p, newsroom.DeliveryProgress{})
	checkCounts(t, s, "the other activity after the deletion", "01E", 0, false)
	ok(t, s.CreateActivity(ctx, &newsroom.Activity{ID: "01B", OrgID: orgOf(t, s, "01E"), Type: "Create", JSON: []byte("{}")}))
	ok(t, s.CreateDeliveries(ctx, "01B", inboxes[:3]))
	p, err = s.DeliveryProgress(ctx, "01B")
	ok(t, err)
	equal(t, "an activity of the same id, afresh", p, newsroom.DeliveryProgress{Total: 3, Pending: 3})
}

type migratingStore interface {
	store.Store
	store.Migrator
}

func orgOf(t *testing.T, s store.Queries, activityID string) int64 {
	t.Helper()
	a, err := s.ActivityByID(t.Context(), activityID)
	ok(t, err)
	return a.OrgID
}
