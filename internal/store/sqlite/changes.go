package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// pollInterval is how often WatchChanges reads the change counter.
const pollInterval = 250 * time.Millisecond

// WatchChanges polls the counter that triggers on the tables public pages
// are made from increment (migration 0003), so that a commit from any
// process on the file is seen. A read costs a few microseconds; it borrows
// a connection of the read pool rather than keeping one of its own, which
// held its own parsed schema and page cache (0.5 MB of an idle server's
// memory) to read one row four times a second.
//
// PRAGMA data_version would need no table, but it moves with every commit
// of another connection, including this process's own writer: the inbox's
// likes and River's job bookkeeping would empty the cache four times a
// second under load.
//
// The counter only grows, so a read that fails loses nothing: the next one
// that succeeds compares with the last value seen. Only the first error of
// a run of failures is reported.
func (s *Store) WatchChanges(ctx context.Context, onChange func(), onError func(error)) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	// The counter starts at 0: -1 makes the first read a change, which
	// covers whatever happened before the watch began.
	last, failing := int64(-1), false
	for {
		n, err := readChanges(ctx, s.read)
		if err == nil && n != last {
			last = n
			onChange()
		}
		if err != nil && ctx.Err() == nil && !failing {
			onError(err)
		}
		failing = err != nil
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func readChanges(ctx context.Context, db *sql.DB) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT n FROM changes WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: read changes: %w", err)
	}
	return n, nil
}
