package postgres_test

import (
	"sync"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlstore"
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

// TestMigrateDeliveryCounts: migration 0015 counts the deliveries written
// before it, and its triggers follow every write after.
func TestMigrateDeliveryCounts(t *testing.T) {
	s := testdb.OpenPostgres(t, testdb.PostgresURL(t))
	exec := execOn(t, s)
	storetest.CheckDeliveryCountsMigration(t, s, func(version int) { migrateBefore(t, s, version) },
		func(id string) { exec(`DELETE FROM activities WHERE id = $1`, id) })
}

// TestMigrateActivityKeys: migration 0016 keys inbox activities and
// interactions by actor and id, keeping those written before it.
func TestMigrateActivityKeys(t *testing.T) {
	s := testdb.OpenPostgres(t, testdb.PostgresURL(t))
	exec := execOn(t, s)
	storetest.CheckActivityKeysMigration(t, s, func(version int) { migrateBefore(t, s, version) },
		func(a newsroom.InboxActivity) {
			exec(`INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				a.ID, a.ActorID, a.Type, sqlstore.NullID(a.OrgID), a.Raw, a.ReceivedAt)
		})
}

// execOn returns a function that runs a statement on s.
func execOn(t *testing.T, s *postgres.Store) func(q string, args ...any) {
	return func(q string, args ...any) {
		t.Helper()
		if _, err := s.Pool().Exec(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// migrateBefore applies the migrations older than version to s, empty.
func migrateBefore(t *testing.T, s *postgres.Store, version int) {
	t.Helper()
	files, err := store.LoadMigrations(migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	exec := execOn(t, s)
	exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`)
	for _, f := range files {
		if f.Version >= version {
			break
		}
		exec(f.SQL)
		exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, f.Version, f.Name)
	}
}
