package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// syncBuffer is a log destination River's goroutines may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// River's routine lines of a client that starts, runs a job and stops on
// SQLite (where it says it polls, having no listener) are written at
// DEBUG: a log read at INFO shows none of them, one read at DEBUG shows
// them all.
func TestRiverRoutineLinesAreDebug(t *testing.T) {
	run := func(level slog.Level) string {
		var out syncBuffer
		logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
		s := testdb.SQLite(t)
		w := newMarkWorker(1)
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		q, err := jobs.New(s, workers, jobs.Options{PollInterval: 20 * time.Millisecond, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.Insert(ctx, markArgs{Name: "one"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.ran:
		case <-time.After(10 * time.Second):
			t.Fatal("the job did not run")
		}
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := run(slog.LevelInfo); strings.Contains(got, "level=INFO") {
		t.Errorf("River wrote INFO lines:\n%s", got)
	}
	if got := run(slog.LevelDebug); !strings.Contains(got, "level=DEBUG") {
		t.Errorf("River's routine lines are missing at DEBUG:\n%s", got)
	}
}
