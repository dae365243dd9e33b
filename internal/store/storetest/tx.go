package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// TestJob is a job the suite enqueues; backend tests look for it.
type TestJob struct {
	N int `json:"n"`
}

// Kind names TestJob for River.
func (TestJob) Kind() string { return "storetest" }

func testInTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")

	err := s.InTx(ctx, func(tx store.Tx) error {
		p := newPost(t, tx, org.ID, "01COMMIT", t0, nil)
		got, err := tx.PostByID(ctx, p.ID) // a transaction reads its own writes
		if err != nil {
			return err
		}
		equal(t, "read in tx", got.ID, p.ID)
		ok(t, tx.AddFollower(ctx, follower(org.ID, "a.example", "ada", true)))
		ok(t, tx.Enqueue(ctx, TestJob{N: 1}))
		return tx.EnqueueMany(ctx, []river.InsertManyParams{{Args: TestJob{N: 2}}, {Args: TestJob{N: 3}}})
	})
	ok(t, err)
	_, err = s.PostByID(ctx, "01COMMIT")
	ok(t, err)

	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		newPost(t, tx, org.ID, "01ROLLBACK", t0, func(p *newsroom.Post) { p.Tags = []string{"x"} })
		ok(t, tx.AddFollower(ctx, follower(org.ID, "b.example", "bob", true)))
		ok(t, tx.PutSetting(ctx, "k", "v"))
		ok(t, tx.CreateDeliveries(ctx, "01NONE", nil))
		ok(t, tx.Enqueue(ctx, TestJob{N: 4}))
		return fmt.Errorf("giving up: %w", boom)
	})
	wantErr(t, err, boom)
	_, err = s.PostByID(ctx, "01ROLLBACK")
	wantErr(t, err, newsroom.ErrNotFound)
	n, err := s.CountFollowers(ctx, org.ID)
	ok(t, err)
	equal(t, "followers after rollback", n, 1)
	_, err = s.Setting(ctx, "k")
	wantErr(t, err, newsroom.ErrNotFound)
	tagged, err := s.CountPosts(ctx, store.PostFilter{Tag: "x"})
	ok(t, err)
	equal(t, "tagged posts after rollback", tagged, 0)

	// A store error inside the transaction comes back as it is.
	err = s.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.OrgByHandle(ctx, "nobody")
		return err
	})
	wantErr(t, err, newsroom.ErrNotFound)
}

// testConcurrentWrites: writers queue rather than fail (SQLite has a
// single writer; SQLITE_BUSY must not reach callers).
func testConcurrentWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := newOrg(t, s, "gazette")
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.AddFollower(ctx, follower(org.ID, fmt.Sprintf("h%d.example", i), "u", true)); err != nil {
				t.Errorf("AddFollower %d: %v", i, err)
			}
		})
		wg.Go(func() {
			err := s.InTx(ctx, func(tx store.Tx) error {
				if _, err := tx.CountFollowers(ctx, org.ID); err != nil {
					return err
				}
				_, err := tx.RecordDomainFailure(ctx, "busy.example", t0.AddDate(0, 0, i))
				return err
			})
			if err != nil {
				t.Errorf("InTx %d: %v", i, err)
			}
		})
		wg.Go(func() {
			if _, err := s.DeliveryInboxes(ctx, org.ID); err != nil {
				t.Errorf("DeliveryInboxes %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	count, err := s.CountFollowers(ctx, org.ID)
	ok(t, err)
	equal(t, "followers", count, n)
	h, err := s.DomainHealth(ctx, "busy.example")
	ok(t, err)
	equal(t, "failure days", h.FailureDays, n)
}
