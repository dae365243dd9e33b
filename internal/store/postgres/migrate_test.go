package postgres_test

import (
	"sync"
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/migrations"
)

func TestMigrate(t *testing.T) {
	ctx := t.Context()
	s := testdb.OpenPostgres(t, testdb.PostgresURL(t))
	files := storetest.CheckMigrate(t, s, migrations.Postgres)

	newer := files[len(files)-1].Version + 6
	if _, err := s.Pool().Exec(ctx, `
		INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', now())`, newer); err != nil {
		t.Fatal(err)
	}
	storetest.CheckTooNew(t, s, newer, files[len(files)-1].Version)
}

// Instances starting together on an empty database both come up.
func TestMigrateConcurrently(t *testing.T) {
	url := testdb.PostgresURL(t)
	stores := []store.Migrator{testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url)}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			if err := s.Migrate(t.Context()); err != nil {
				t.Errorf("Migrate %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if err := stores[0].CheckSchema(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestEnqueue(t *testing.T) {
	s := testdb.Postgres(t)
	storetest.CheckEnqueue(t, s, func() int {
		var n int
		if err := s.Pool().QueryRow(t.Context(),
			`SELECT count(*) FROM river_job WHERE kind = 'storetest'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}
