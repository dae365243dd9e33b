package sqlite_test

import (
	"errors"
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/migrations"
)

func TestMigrate(t *testing.T) {
	ctx := t.Context()
	s := testdb.SQLiteUnmigrated(t)
	files, err := store.LoadMigrations(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	states, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckStatus(t, states, files, false)
	if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrMigrationsPending) {
		t.Fatalf("CheckSchema before Migrate = %v, want ErrMigrationsPending", err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	states, err = s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckStatus(t, states, files, true)
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	again, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Equal(t, "status after a second Migrate", again, states)

	newer := files[len(files)-1].Version + 6
	if _, err := s.WriteDB().ExecContext(ctx, `
		INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', 0)`, newer); err != nil {
		t.Fatal(err)
	}
	storetest.CheckTooNew(t, s, newer, files[len(files)-1].Version)
}

func TestEnqueue(t *testing.T) {
	s := testdb.SQLite(t)
	storetest.CheckEnqueue(t, s, func() int {
		var n int
		if err := s.ReadDB().QueryRowContext(t.Context(),
			`SELECT count(*) FROM river_job WHERE kind = 'storetest'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}
