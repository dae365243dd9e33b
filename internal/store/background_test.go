package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// TestJobsReadApart holds every connection of one side, as a burst of
// descheduled jobs (or of requests) would, and checks that the other
// side's reads still go through, and that the held side's wait.
func TestJobsReadApart(t *testing.T) {
	ctx := t.Context()
	waits := func(ctx context.Context, s store.Store) bool {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := s.ListOrgs(ctx)
		return errors.Is(err, context.DeadlineExceeded)
	}
	for _, held := range []struct {
		name       string
		background bool
	}{{"requests", false}, {"jobs", true}} {
		t.Run(held.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, s store.Store) {
				holdAll(t, s, held.background)
				job, request := waits(store.Background(ctx), s), waits(ctx, s)
				if job != held.background || request == held.background {
					t.Errorf("with the %s' connections held, a job's read waited: %v, a request's: %v; want only the %s' to wait",
						held.name, job, request, held.name)
				}
			})
		})
	}
}

// holdAll takes every connection of the jobs' pool (background) or of the
// requests' until the test ends.
func holdAll(t *testing.T, s store.Store, background bool) {
	t.Helper()
	switch b := s.(type) {
	case *sqlite.Store:
		db := b.ReadDB()
		if background {
			db = b.JobReadDB()
		}
		for range db.Stats().MaxOpenConnections {
			c, err := db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
		}
	case *postgres.Store:
		p := b.Pool()
		if background {
			p = b.JobPool()
		}
		for range p.Config().MaxConns {
			c, err := p.Acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Release)
		}
	default:
		t.Fatalf("unknown backend %T", s)
	}
}
