package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// deliveryFixture is an activity with n inboxes queued.
func deliveryFixture(t *testing.T, s store.Store, id string, n int) []string {
	t.Helper()
	ctx := t.Context()
	org := newOrg(t, s, "org"+id)
	ok(t, s.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: org.ID, Type: "Create", JSON: []byte("{}")}))
	inboxes := make([]string, n)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("https://s%03d.example/inbox", i)
	}
	ok(t, s.CreateDeliveries(ctx, id, inboxes))
	return inboxes
}

func settle(t *testing.T, s store.Queries, id, inbox string, status newsroom.DeliveryStatus, attempts int, reason string) {
	t.Helper()
	ok(t, s.UpdateDelivery(t.Context(), newsroom.Delivery{ActivityID: id, Inbox: inbox, Status: status,
		Attempts: attempts, Reason: reason, LastError: reason, UpdatedAt: t0}))
}

func testDeliveryCompaction(t *testing.T, s store.Store) {
	ctx := t.Context()
	inboxes := deliveryFixture(t, s, "01C", 5)
	for _, in := range inboxes[:3] {
		settle(t, s, "01C", in, newsroom.DeliveryDelivered, 1, "")
	}
	settle(t, s, "01C", inboxes[3], newsroom.DeliveryFailed, 1, "gone:410")
	next := t0.Add(90 * time.Second)
	ok(t, s.UpdateDelivery(ctx, newsroom.Delivery{ActivityID: "01C", Inbox: inboxes[4], Status: newsroom.DeliveryPending,
		Attempts: 2, Reason: "status:503", LastError: "status 503", NextAttempt: next.In(cet), UpdatedAt: t0}))

	// Every delivery settled but one, and the fan-out not said done:
	// nothing to compact yet, on either count.
	ids, err := s.CompactableDeliveries(ctx, 0)
	ok(t, err)
	equal(t, "compactable before the fan-out is done", len(ids), 0)
	n, err := s.CompactDeliveries(ctx, "01C")
	ok(t, err)
	equal(t, "compacted before the fan-out is done", n, int64(0))

	ok(t, s.FanoutDone(ctx, "01C"))
	ok(t, s.FanoutDone(ctx, "01C")) // twice is once
	ids, err = s.CompactableDeliveries(ctx, 0)
	ok(t, err)
	equal(t, "compactable with a delivery pending", len(ids), 0)
	n, err = s.CompactDeliveries(ctx, "01C")
	ok(t, err)
	equal(t, "compacted with a delivery pending", n, int64(0))

	before, err := s.DeliveryProgress(ctx, "01C")
	ok(t, err)
	equal(t, "progress while retrying", before, newsroom.DeliveryProgress{Total: 5, Delivered: 3, Pending: 1, Failed: 1, Retrying: 1})
	trouble, err := s.ListDeliveryTrouble(ctx, "01C", 0)
	ok(t, err)
	equal(t, "trouble", trouble, []newsroom.Delivery{
		{ActivityID: "01C", Inbox: inboxes[3], Status: newsroom.DeliveryFailed, Attempts: 1, Reason: "gone:410", LastError: "gone:410", UpdatedAt: t0},
		{ActivityID: "01C", Inbox: inboxes[4], Status: newsroom.DeliveryPending, Attempts: 2, Reason: "status:503",
			LastError: "status 503", NextAttempt: next, UpdatedAt: t0},
	})

	// The last one fails for good: the fan-out is over.
	settle(t, s, "01C", inboxes[4], newsroom.DeliveryFailed, 3, "refused")
	ids, err = s.CompactableDeliveries(ctx, 0)
	ok(t, err)
	equal(t, "compactable", ids, []string{"01C"})
	n, err = s.CompactDeliveries(ctx, "01C")
	ok(t, err)
	equal(t, "compacted", n, int64(3))
	n, err = s.CompactDeliveries(ctx, "01C")
	ok(t, err)
	equal(t, "compacted again", n, int64(0))
	ids, err = s.CompactableDeliveries(ctx, 0)
	ok(t, err)
	equal(t, "compactable after", len(ids), 0)

	// The editor reads the same counts, and the failures with their reasons.
	after, err := s.DeliveryProgress(ctx, "01C")
	ok(t, err)
	equal(t, "progress after compaction", after, newsroom.DeliveryProgress{Total: 5, Delivered: 3, Failed: 2, Compacted: true})
	rows, err := s.ListDeliveries(ctx, "01C", "", 0)
	ok(t, err)
	equal(t, "rows left", len(rows), 2)
	trouble, err = s.ListDeliveryTrouble(ctx, "01C", 1)
	ok(t, err)
	equal(t, "latest failure first", trouble[0].Inbox, inboxes[3])

	// A delivery run again after a crash reads its inbox as delivered;
	// a failed one still reads failed.
	d, err := s.DeliveryByInbox(ctx, "01C", inboxes[1])
	ok(t, err)
	equal(t, "compacted inbox", d.Status, newsroom.DeliveryDelivered)
	d, err = s.DeliveryByInbox(ctx, "01C", inboxes[3])
	ok(t, err)
	equal(t, "failed inbox", d.Status, newsroom.DeliveryFailed)

	// A late outcome for a folded row changes nothing; one turning a
	// failure into a success is folded by the next compaction, once.
	ok(t, s.UpdateDeliveries(ctx, []newsroom.Delivery{
		{ActivityID: "01C", Inbox: inboxes[0], Status: newsroom.DeliveryDelivered, Attempts: 2},
		{ActivityID: "01C", Inbox: inboxes[4], Status: newsroom.DeliveryDelivered, Attempts: 4},
	}))
	p, err := s.DeliveryProgress(ctx, "01C")
	ok(t, err)
	equal(t, "progress after a late success", p, newsroom.DeliveryProgress{Total: 5, Delivered: 4, Failed: 1, Compacted: true})
	n, err = s.CompactDeliveries(ctx, "01C")
	ok(t, err)
	equal(t, "late success folded", n, int64(1))
	p, err = s.DeliveryProgress(ctx, "01C")
	ok(t, err)
	equal(t, "progress after folding it", p, newsroom.DeliveryProgress{Total: 5, Delivered: 4, Failed: 1, Compacted: true})

	// An activity never compacted has no delivered inbox to make up.
	_, err = s.DeliveryByInbox(ctx, "01NONE", inboxes[0])
	wantErr(t, err, newsroom.ErrNotFound)
}

// Compactions of one fan-out running at once, beside late outcomes,
// count every delivery once.
func testDeliveryCompactionRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 300
	inboxes := deliveryFixture(t, s, "01R", n)
	var ds []newsroom.Delivery
	for _, in := range inboxes {
		ds = append(ds, newsroom.Delivery{ActivityID: "01R", Inbox: in, Status: newsroom.DeliveryDelivered, Attempts: 1})
	}
	ok(t, s.UpdateDeliveries(ctx, ds))
	ok(t, s.FanoutDone(ctx, "01R"))

	var wg sync.WaitGroup
	folded := make([]int64, 4)
	errs := make([]error, 6)
	for i := range folded {
		wg.Go(func() { folded[i], errs[i] = s.CompactDeliveries(ctx, "01R") })
	}
	for i := range 2 {
		wg.Go(func() { errs[4+i] = s.UpdateDeliveries(ctx, ds[i*100:(i+1)*100]) })
	}
	wg.Wait()
	var total int64
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	for _, f := range folded {
		total += f
	}
	// Late outcomes may land before a compaction and be folded then, or
	// after, on rows already gone; either way each delivery counts once.
	rest, err := s.CompactDeliveries(ctx, "01R")
	ok(t, err)
	equal(t, "folded by all compactions", total+rest, int64(n))
	p, err := s.DeliveryProgress(ctx, "01R")
	ok(t, err)
	equal(t, "progress", p, newsroom.DeliveryProgress{Total: n, Delivered: n, Compacted: true})
}

func testPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 7 {
		_, err := s.RecordInboxActivity(ctx, newsroom.InboxActivity{ID: fmt.Sprintf("https://a.example/likes/%d", i),
			ActorID: "https://a.example/users/ada", Type: "Like", Raw: []byte(`{}`), ReceivedAt: t0.Add(time.Duration(i) * 24 * time.Hour)})
		ok(t, err)
	}
	// Another actor's activity of the same id as ada's first, received
	// after the cut: pruning ada's must leave it.
	late := newsroom.InboxActivity{ID: "https://a.example/likes/0", ActorID: "https://a.example/users/mal",
		Type: "Like", Raw: []byte(`{}`), ReceivedAt: t0.Add(6 * 24 * time.Hour)}
	_, err := s.RecordInboxActivity(ctx, late)
	ok(t, err)
	// Activities received before day 5, three at a time.
	cut := t0.Add(5 * 24 * time.Hour)
	var pruned []int64
	for {
		n, err := s.PruneInboxActivities(ctx, cut, 3)
		ok(t, err)
		if pruned = append(pruned, n); n < 3 {
			break
		}
	}
	equal(t, "pruned in batches", pruned, []int64{3, 2})
	for _, i := range []int{0, 4} {
		_, err = s.InboxActivityByID(ctx, fmt.Sprintf("https://a.example/likes/%d", i), "https://a.example/users/ada")
		wantErr(t, err, newsroom.ErrNotFound)
	}
	for _, i := range []int{5, 6} {
		_, err := s.InboxActivityByID(ctx, fmt.Sprintf("https://a.example/likes/%d", i), "https://a.example/users/ada")
		ok(t, err)
	}
	_, err = s.InboxActivityByID(ctx, late.ID, late.ActorID)
	ok(t, err)

	ok(t, s.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: "old", ExpiresAt: t0}))
	ok(t, s.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: "new", ExpiresAt: t0.Add(time.Hour)}))
	n, err := s.DeleteExpiredSetupTokens(ctx, t0.Add(time.Minute))
	ok(t, err)
	equal(t, "expired setup tokens", n, int64(1))
	ok(t, s.CheckSetupToken(ctx, "new", t0))
}
