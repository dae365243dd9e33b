package storetest

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/store"
)

// Equal fails t when got and want differ, showing both.
func Equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	equal(t, what, got, want)
}

// CheckStatus checks a MigrationStatus listing: our files in order, then
// River's migrations, all applied or all pending.
func CheckStatus(t *testing.T, states []store.MigrationState, files []store.MigrationFile, applied bool) {
	t.Helper()
	if len(states) <= len(files) {
		t.Fatalf("status lists %d migrations, want our %d and River's", len(states), len(files))
	}
	for i, f := range files {
		s := states[i]
		equal(t, "migration", [3]any{s.Source, s.Version, s.Name}, [3]any{store.SourceNewsroom, f.Version, f.Name})
		equal(t, f.Name+" applied", s.Applied, applied)
		if applied {
			isNow(t, f.Name+" applied at", s.AppliedAt)
		}
	}
	for _, s := range states[len(files):] {
		equal(t, "source", s.Source, store.SourceRiver)
		equal(t, fmt.Sprintf("river %d applied", s.Version), s.Applied, applied)
	}
}

// CheckTooNew checks that m, whose database records version newer, refuses
// to migrate, and says so plainly.
func CheckTooNew(t *testing.T, m store.Migrator, newer, known int) {
	t.Helper()
	ctx := t.Context()
	want := fmt.Sprintf("database schema version %d is newer than this binary knows (%d): upgrade newsroom", newer, known)
	var tooNew *store.SchemaTooNewError
	err := m.Migrate(ctx)
	if !errors.As(err, &tooNew) || err.Error() != want {
		t.Fatalf("Migrate = %v, want %q", err, want)
	}
	if err := m.CheckSchema(ctx); !errors.As(err, &tooNew) || err.Error() != want {
		t.Fatalf("CheckSchema = %v, want %q", err, want)
	}
	states, err := m.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("MigrationStatus of a newer database: %v", err)
	}
	for _, s := range states {
		if s.Version == newer && s.Source == store.SourceNewsroom {
			equal(t, "the newer migration", [2]bool{s.Applied, s.Unknown}, [2]bool{true, true})
			return
		}
	}
	t.Errorf("MigrationStatus does not list version %d", newer)
}

// CheckEnqueue checks that jobs enqueued in a transaction are stored on
// commit only; count returns how many TestJob rows River holds.
func CheckEnqueue(t *testing.T, s store.Store, count func() int) {
	t.Helper()
	ctx := t.Context()
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Enqueue(ctx, TestJob{N: 1}); err != nil {
			return err
		}
		return tx.EnqueueMany(ctx, []river.InsertManyParams{{Args: TestJob{N: 2}}, {Args: TestJob{N: 3}}})
	})
	ok(t, err)
	equal(t, "jobs after commit", count(), 3)

	err = s.InTx(ctx, func(tx store.Tx) error {
		ok(t, tx.Enqueue(ctx, TestJob{N: 4}))
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("InTx returned nil for a failing fn")
	}
	equal(t, "jobs after rollback", count(), 3)
}

// CheckMigrate runs a backend's migrations on its empty database m: the
// status before and after, a second Migrate that changes nothing. It
// returns the migration files, for the backend's own checks that follow.
func CheckMigrate(t *testing.T, m store.Migrator, fsys fs.FS) []store.MigrationFile {
	t.Helper()
	ctx := t.Context()
	files, err := store.LoadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	states, err := m.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	CheckStatus(t, states, files, false)
	if err := m.CheckSchema(ctx); !errors.Is(err, store.ErrMigrationsPending) {
		t.Fatalf("CheckSchema before Migrate = %v, want ErrMigrationsPending", err)
	}

	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	states, err = m.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	CheckStatus(t, states, files, true)
	if err := m.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}

	if err := m.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	again, err := m.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	Equal(t, "status after a second Migrate", again, states)
	return files
}
