package delivery

import (
	"context"

	"github.com/soga/newsroom/internal/groupcommit"
	"github.com/soga/newsroom/internal/newsroom"
)

// Recorder writes delivery outcomes, several in one transaction
// (jobs.Deliveries).
type Recorder interface {
	Record(ctx context.Context, outcomes []newsroom.Delivery) error
}

// newOutcomes records outcomes by group commit: a hundred workers then cost
// a few transactions instead of a hundred, which matters on SQLite's single
// writer. It also shortens the time between an inbox accepting an activity
// and the delivery being recorded as done, which is the window in which a
// crash makes us send it again.
func newOutcomes(r Recorder) *groupcommit.Committer[newsroom.Delivery, struct{}] {
	return groupcommit.New(func(ctx context.Context, ds []newsroom.Delivery) ([]struct{}, error) {
		if err := r.Record(ctx, ds); err != nil {
			return nil, err
		}
		return make([]struct{}, len(ds)), nil
	}, groupcommit.Options{})
}
