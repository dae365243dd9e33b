package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// BenchmarkOutcomeBatches records delivery outcomes the way the delivery
// workers' group commit does, k rows to a transaction, over a fan-out of
// 10,000 rows, and reports the processor time per outcome. The rows of one
// transaction are far apart, as a batch's inboxes are (round-robin by
// server). For PostgreSQL it leaves out the server's share.
//
//	NEWSROOM_TEST_POSTGRES_URL=… go test ./internal/store -run '^$' -bench OutcomeBatches -count 3
func BenchmarkOutcomeBatches(b *testing.B) {
	for _, db := range benchDatabases {
		for _, k := range []int{1, 3, 8} {
			b.Run(fmt.Sprintf("%s/%d-per-transaction", db.name, k), func(b *testing.B) {
				const id, n = "01OUTCOMES", 10_000
				s := benchActivity(b, db.open, id)
				ctx := b.Context()
				inboxes := make([]string, n)
				for i := range inboxes {
					inboxes[i] = fmt.Sprintf("https://s%05d.example/users/u%d/inbox", i%1000, i/1000)
				}
				if err := s.CreateDeliveries(ctx, id, inboxes); err != nil {
					b.Fatal(err)
				}
				batch := make([]newsroom.Delivery, 0, k)
				next, attempts := 0, 1
				cpu := processorTime()
				for b.Loop() {
					batch = batch[:0]
					for range k {
						batch = append(batch, newsroom.Delivery{ActivityID: id, Inbox: inboxes[(next*997)%n],
							Status: newsroom.DeliveryDelivered, Attempts: attempts, UpdatedAt: time.Now().UTC()})
						if next++; next%n == 0 {
							attempts++
						}
					}
					if err := s.UpdateDeliveries(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((processorTime()-cpu).Microseconds())/float64(b.N*k), "cpu-µs/outcome")
			})
		}
	}
}
