package store_test

import (
	"fmt"
	"strings"
	"sync"
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
			inboxes := benchInboxes(n)
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
	if err := s.CreateActivity(b.Context(), &newsroom.Activity{ID: id, OrgID: benchOrg(b, s), Type: "Create", JSON: []byte("{}")}); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchOrg(b *testing.B, s store.Store) int64 {
	org := &newsroom.Organisation{Handle: "bench", Name: "Bench", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(b.Context(), org); err != nil {
		b.Fatal(err)
	}
	return org.ID
}

func benchInboxes(n int) []string {
	inboxes := make([]string, n)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("https://s%05d.example/inbox", i)
	}
	return inboxes
}

func processorTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDeliveryWrites writes what a fan-out to 10,000 inboxes writes
// to its progress: the rows, 1,000 per statement, then one outcome each,
// recorded 32 at a time as the group commit does, by two writers. It reports the
// process's processor time per delivery; for PostgreSQL that leaves out
// the server's, so read its wall time there.
//
//	NEWSROOM_TEST_POSTGRES_URL=… go test ./internal/store -run '^$' -bench DeliveryWrites -benchtime 3x
func BenchmarkDeliveryWrites(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) store.Store
	}{
		{"sqlite", func(tb testing.TB) store.Store { return testdb.SQLite(tb) }},
		// The reference, in the same run: the rows without the counts
		// kept with them (migration 0015's triggers dropped).
		{"sqlite-uncounted", func(tb testing.TB) store.Store {
			s := testdb.SQLite(tb)
			dropCounts(tb, "", func(q string) error { _, err := s.WriteDB().ExecContext(tb.Context(), q); return err })
			return s
		}},
		{"postgres", func(tb testing.TB) store.Store { return testdb.Postgres(tb) }},
		{"postgres-uncounted", func(tb testing.TB) store.Store {
			s := testdb.Postgres(tb)
			dropCounts(tb, " ON deliveries", func(q string) error { _, err := s.Pool().Exec(tb.Context(), q); return err })
			return s
		}},
	} {
		b.Run(db.name, func(b *testing.B) {
			s := db.open(b)
			ctx := b.Context()
			const n = 10_000
			org, inboxes := benchOrg(b, s), benchInboxes(n)
			var cpu, wall time.Duration
			run := 0
			for b.Loop() {
				run++
				id := fmt.Sprintf("01WRITES%04d", run)
				if err := s.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: org, Type: "Create", JSON: []byte("{}")}); err != nil {
					b.Fatal(err)
				}
				start, used := time.Now(), processorTime()
				for i := 0; i < n; i += 1000 {
					if err := s.CreateDeliveries(ctx, id, inboxes[i:i+1000]); err != nil {
						b.Fatal(err)
					}
				}
				// Two writers record outcomes at once, as two instances'
				// group commits do: on PostgreSQL they take turns on the
				// activity's counts.
				var wg sync.WaitGroup
				for w := range 2 {
					wg.Go(func() {
						outcomes := make([]newsroom.Delivery, 0, 32)
						for i := w; i < n; i += 2 {
							d := newsroom.Delivery{ActivityID: id, Inbox: inboxes[i], Status: newsroom.DeliveryDelivered, Attempts: 1, UpdatedAt: time.Now().UTC()}
							if i%10 == 1 {
								d.Status, d.Reason = newsroom.DeliveryPending, "status:503"
							}
							if outcomes = append(outcomes, d); len(outcomes) == cap(outcomes) || i+2 >= n {
								if err := s.UpdateDeliveries(ctx, outcomes); err != nil {
									b.Error(err)
									return
								}
								outcomes = outcomes[:0]
							}
						}
					})
				}
				wg.Wait()
				cpu += processorTime() - used
				wall += time.Since(start)
			}
			if !strings.HasSuffix(db.name, "-uncounted") {
				p, err := s.DeliveryProgress(ctx, fmt.Sprintf("01WRITES%04d", run))
				if err != nil || p != (newsroom.DeliveryProgress{Total: n, Delivered: n * 9 / 10, Pending: n / 10, Retrying: n / 10}) {
					b.Fatalf("progress %+v, %v", p, err)
				}
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/1000/float64(b.N*n), "cpu-µs/delivery")
			b.ReportMetric(float64(wall.Nanoseconds())/1000/float64(b.N*n), "wall-µs/delivery")
		})
	}
}

// dropCounts drops migration 0015's triggers; on is PostgreSQL's " ON
// deliveries", which SQLite does not take.
func dropCounts(tb testing.TB, on string, exec func(q string) error) {
	for _, trigger := range []string{"deliveries_count_insert", "deliveries_count_update", "deliveries_count_delete"} {
		if err := exec("DROP TRIGGER " + trigger + on); err != nil {
			tb.Fatal(err)
		}
	}
}
