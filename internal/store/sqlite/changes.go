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
// are made from increment (migration 0003), on a read-only connection of
// its own, so that a commit from any process on the file is seen, and the
// read pool keeps all its connections. A read costs a few microseconds.
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
	var db *sql.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	// The counter starts at 0: -1 makes the first read a change, which
	// covers whatever happened before the watch began.
	last, failing := int64(-1), false
	for {
		var err error
		if db == nil {
			db, err = openDB(ctx, s.path, readParams(s.opts), 1)
		}
		if err == nil {
			var n int64
			n, err = readChanges(ctx, db)
			if err == nil && n != last {
				last = n
				onChange()
			}
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
