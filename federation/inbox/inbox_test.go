package inbox

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// healthStore answers the domain health queries of markAlive; any other
// method of Store panics, since markAlive must not call it.
type healthStore struct {
	Store
	health    map[string]newsroom.DomainHealth
	reads     int
	successes []string
}

func (s *healthStore) DomainHealth(_ context.Context, host string) (newsroom.DomainHealth, error) {
	s.reads++
	if h, ok := s.health[host]; ok {
		return h, nil
	}
	return newsroom.DomainHealth{Host: host}, nil
}

func (s *healthStore) RecordDomainSuccess(_ context.Context, host string) error {
	s.successes = append(s.successes, host)
	delete(s.health, host)
	return nil
}

// A sender's past delivery failures are cleared when it writes to us,
// with one read per host and per minute and a write only when there was
// something to clear.
func TestMarkAlive(t *testing.T) {
	st := &healthStore{health: map[string]newsroom.DomainHealth{
		"down.test": {Host: "down.test", FailureDays: 7, LastFailure: time.Now(), Unavailable: true},
	}}
	clock := &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := New(Deps{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.now})
	ctx := context.Background()

	for i := 0; i < 5; i++ {
		h.markAlive(ctx, "down.test")
		h.markAlive(ctx, "up.test")
	}
	if st.reads != 2 {
		t.Errorf("%d health reads, want 2", st.reads)
	}
	if len(st.successes) != 1 || st.successes[0] != "down.test" {
		t.Errorf("successes recorded: %v, want [down.test]", st.successes)
	}

	// A host that fails again later is cleared again, after a minute.
	st.health["up.test"] = newsroom.DomainHealth{Host: "up.test", FailureDays: 1, LastFailure: clock.now()}
	h.markAlive(ctx, "up.test")
	if len(st.successes) != 1 {
		t.Fatalf("cleared within the minute: %v", st.successes)
	}
	clock.advance(aliveInterval)
	h.markAlive(ctx, "up.test")
	if len(st.successes) != 2 || st.successes[1] != "up.test" {
		t.Errorf("successes recorded: %v, want up.test cleared", st.successes)
	}
}
