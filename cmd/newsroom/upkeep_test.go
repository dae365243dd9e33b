package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// A post's fan-out, once over, is compacted by the periodic job: the
// delivered rows go, the progress reads the same, the failure stays with
// its reason, and a delivery run again after a crash reads its inbox as
// delivered.
func TestDeliveriesCompacted(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend, "--compact-interval", "1s")
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		ctx := context.Background()
		one, two, gone := fedtest.NewPeer(t, "one"), fedtest.NewPeer(t, "two"), fedtest.NewPeer(t, "gone")
		for _, p := range []*fedtest.Peer{one, two, gone} {
			followedBy(t, ts, org, p)
		}
		gone.RespondAlways(http.StatusGone)

		p, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: "Bilan", Body: "Une année."})
		if err != nil {
			t.Fatal(err)
		}
		activityOf(t, ts, one, "Create", ts.URLs.Post("soga", p.ID), nil)
		creates, _ := ts.Store.ListActivities(ctx, org.ID, "Create", 0, 1)
		id := creates[0].ID
		want := newsroom.DeliveryProgress{Total: 3, Delivered: 2, Failed: 1, Compacted: true}
		eventually(t, "fan-out compacted", func() string {
			pr, _ := ts.Store.DeliveryProgress(ctx, id)
			if pr != want {
				b, _ := json.Marshal(pr)
				return string(b)
			}
			return ""
		})
		rows, err := ts.Store.ListDeliveries(ctx, id, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Inbox != gone.SharedInbox || rows[0].Status != newsroom.DeliveryFailed ||
			rows[0].Reason != "gone:410" || rows[0].Attempts != 1 {
			t.Errorf("rows left after compaction: %+v", rows)
		}
		d, err := ts.Store.DeliveryByInbox(ctx, id, one.SharedInbox)
		if err != nil || d.Status != newsroom.DeliveryDelivered {
			t.Errorf("a compacted inbox reads %+v, %v", d, err)
		}
		if !strings.Contains(ts.logs.String(), `msg="deliveries compacted" component=upkeep fanouts=1 rows=2`) {
			t.Errorf("compaction not logged:\n%s", ts.logs.String())
		}
	})
}
