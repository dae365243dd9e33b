package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// River's own cleaner deletes completed jobs past the retention the
// client sets (an hour), on SQLite as on PostgreSQL: SQLite keeps
// River's times as text, and a format that did not compare as the
// cleaner's horizon does would keep every job for ever.
func TestCleanerDeletesOldCompletedJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's leader election and cleaner")
	}
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		run := func(fn func()) {
			_, stop := startQueue(t, s, newMarkWorker(10), jobs.Options{})
			defer stop()
			fn()
		}
		run(func() {
			for i := range 3 {
				if err := s.InTx(ctx, func(tx store.Tx) error { return tx.Enqueue(ctx, markArgs{Name: fmt.Sprint(i)}) }); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "3 jobs completed", func() bool { return completed(t, s) == 3 })
		})
		// Two finished two hours ago, one just now; a new client (its
		// cleaner starts with leadership) deletes the two old ones.
		age(t, s, 2)
		run(func() {
			waitFor(t, "old completed jobs deleted", func() bool { return testdb.CountJobs(t, s, "test_mark") == 1 })
		})
	})
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func completed(t *testing.T, s store.Store) int {
	t.Helper()
	var n int
	var err error
	switch b := s.(type) {
	case *sqlite.Store:
		err = b.ReadDB().QueryRowContext(t.Context(),
			`SELECT count(*) FROM river_job WHERE kind = 'test_mark' AND state = 'completed'`).Scan(&n)
	case *postgres.Store:
		err = b.Pool().QueryRow(t.Context(),
			`SELECT count(*) FROM river_job WHERE kind = 'test_mark' AND state = 'completed'`).Scan(&n)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// age moves the finish of the first n test jobs two hours back. River's
// SQLite driver writes a completed job's finalized_at as Go's
// time.String ("2026-12-01 19:51:37.384906614 +0000 UTC m=+0.09"), which
// SQLite's date functions do not read; its first 23 characters are the
// layout its cleaner compares with ("2006-01-02 15:04:05.999"), so that
// the comparison holds, and the aged value is written in that layout.
func age(t *testing.T, s store.Store, n int) {
	t.Helper()
	var err error
	switch b := s.(type) {
	case *sqlite.Store:
		_, err = b.WriteDB().ExecContext(t.Context(), `
			UPDATE river_job SET finalized_at = datetime(substr(finalized_at, 1, 23), '-2 hours', 'subsec')
			WHERE id IN (SELECT id FROM river_job WHERE kind = 'test_mark' ORDER BY id LIMIT ?)`, n)
	case *postgres.Store:
		_, err = b.Pool().Exec(t.Context(), `
			UPDATE river_job SET finalized_at = finalized_at - interval '2 hours'
			WHERE id IN (SELECT id FROM river_job WHERE kind = 'test_mark' ORDER BY id LIMIT $1)`, n)
	}
	if err != nil {
		t.Fatal(err)
	}
}
