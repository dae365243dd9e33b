package sqlstore

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
)

// Jobs inserts River jobs in a transaction of either database: TTx is
// *sql.Tx for SQLite, pgx.Tx for PostgreSQL. A backend's transaction embeds
// it to implement store.Tx's Enqueue and EnqueueMany.
type Jobs[TTx any] struct {
	river *river.Client[TTx]
	tx    TTx
}

// NewJobs returns the job inserts of transaction tx.
func NewJobs[TTx any](c *river.Client[TTx], tx TTx) Jobs[TTx] { return Jobs[TTx]{river: c, tx: tx} }

// Enqueue inserts one job with the insert options its arguments carry.
func (j Jobs[TTx]) Enqueue(ctx context.Context, args river.JobArgs) error {
	if _, err := j.river.InsertTx(ctx, j.tx, args, nil); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueMany inserts jobs in one statement.
func (j Jobs[TTx]) EnqueueMany(ctx context.Context, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if _, err := j.river.InsertManyTx(ctx, j.tx, params); err != nil {
		return fmt.Errorf("store: enqueue %d jobs: %w", len(params), err)
	}
	return nil
}
