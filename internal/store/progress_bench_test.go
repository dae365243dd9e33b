package store_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// BenchmarkDeliveryProgress reads the progress an editor sees of a
// fan-out to 100,000 inboxes caught half way: a third delivered, some
// retrying, a few failed, the rest pending.
//
//	NEWSROOM_TEST_POSTGRES_URL=… go test ./internal/store -run '^$' -bench DeliveryProgress
func BenchmarkDeliveryProgress(b *testing.B) {
	for _, db := range benchDatabases {
		b.Run(db.name, func(b *testing.B) {
			const id, n = "01PROGRESS", 100_000
			s := benchActivity(b, db.open, id)
			ctx := b.Context()
			inboxes := make([]string, n)
			for i := range inboxes {
				inboxes[i] = fmt.Sprintf("https://s%05d.example/inbox", i)
			}
			for i := 0; i < n; i += 5000 {
				if err := s.CreateDeliveries(ctx, id, inboxes[i:i+5000]); err != nil {
					b.Fatal(err)
				}
			}
			now := time.Now().UTC()
			var outcomes []newsroom.Delivery
			for i, in := range inboxes[:n/2] {
				d := newsroom.Delivery{ActivityID: id, Inbox: in, Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: now}
				switch i % 10 {
				case 1:
					d.Status, d.Reason = newsroom.DeliveryPending, "status:503"
				case 2:
					if i%100 == 2 {
						d.Status, d.Reason = newsroom.DeliveryFailed, "refused"
					}
				}
				outcomes = append(outcomes, d)
				if len(outcomes) == 1000 {
					if err := s.UpdateDeliveries(ctx, outcomes); err != nil {
						b.Fatal(err)
					}
					outcomes = outcomes[:0]
				}
			}
			var p newsroom.DeliveryProgress
			b.ResetTimer()
			cpu := processorTime()
			for b.Loop() {
				var err error
				if p, err = s.DeliveryProgress(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// Processor time says more than wall time on a busy machine;
			// for PostgreSQL it leaves out the server's share.
			b.ReportMetric(float64((processorTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			if p.Total != n || p.Retrying != n/20 {
				b.Fatalf("progress %+v", p)
			}
		})
	}
}

// benchDatabases are the backends the store's benchmarks run on.
var benchDatabases = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{"sqlite", func(tb testing.TB) store.Store { return testdb.SQLite(tb) }},
	{"postgres", func(tb testing.TB) store.Store { return testdb.Postgres(tb) }},
}

// benchActivity opens a database with an organisation and its activity
// id, ready for delivery rows.
func benchActivity(b *testing.B, open func(testing.TB) store.Store, id string) store.Store {
	s := open(b)
	ctx := b.Context()
	org := &newsroom.Organisation{Handle: "bench", Name: "Bench", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: org.ID, Type: "Create", JSON: []byte("{}")}); err != nil {
		b.Fatal(err)
	}
	return s
}

func processorTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
