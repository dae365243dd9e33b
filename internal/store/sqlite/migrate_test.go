package sqlite_test

import (
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/sqlstore"
	"github.com/soga/newsroom/internal/store/storetest"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/migrations"
)

func TestMigrate(t *testing.T) {
	ctx := t.Context()
	s := testdb.SQLiteUnmigrated(t)
	files := storetest.CheckMigrate(t, s, migrations.SQLite)

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

// TestMigrateTagKeys: migration 0004 gives the tags stored before it, which
// were lower-cased and without spaces, their own text as key, so their tag
// pages still find them.
func TestMigrateTagKeys(t *testing.T) {
	ctx := t.Context()
	s := testdb.SQLiteUnmigrated(t)
	exec := migrateBefore(t, s, 4)
	exec(`INSERT INTO organisations (id, handle, name, actor_type, default_lang, default_object_type, created_at, updated_at)
		VALUES (1, 'soga', 'SOGA', 'Organization', 'fr', 'auto', 0, 0)`)
	exec(`INSERT INTO posts (id, org_id, kind, status, created_at) VALUES ('01JOLD', 1, 'article', 'published', 0)`)
	exec(`INSERT INTO post_tags (post_id, tag, position) VALUES ('01JOLD', 'économie', 0), ('01JOLD', 'vie', 1)`)

	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"économie", "Économie", "VIE"} {
		posts, err := s.ListPosts(ctx, store.PostFilter{Tag: tag})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 1 || posts[0].ID != "01JOLD" {
			t.Errorf("tag %s: %d posts", tag, len(posts))
		}
	}
}

// TestMigrateDeliveryCounts: migration 0015 counts the deliveries written
// before it, and its triggers follow every write after.
func TestMigrateDeliveryCounts(t *testing.T) {
	s := testdb.SQLiteUnmigrated(t)
	var exec func(q string, args ...any)
	storetest.CheckDeliveryCountsMigration(t, s,
		func(version int) { exec = migrateBefore(t, s, version) },
		func(id string) { exec(`DELETE FROM activities WHERE id = ?`, id) })
}

// migrateBefore applies the migrations older than version to s, empty,
// and returns a function that runs a statement on it.
func migrateBefore(t *testing.T, s *sqlite.Store, version int) (exec func(q string, args ...any)) {
	t.Helper()
	files, err := store.LoadMigrations(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	exec = func(q string, args ...any) {
		t.Helper()
		if _, err := s.WriteDB().ExecContext(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`)
	for _, f := range files {
		if f.Version >= version {
			break
		}
		exec(f.SQL)
		exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`, f.Version, f.Name)
	}
	return exec
}

// TestMigrateActivityKeys: migration 0016 keys inbox activities and
// interactions by actor and id, keeping those written before it.
func TestMigrateActivityKeys(t *testing.T) {
	s := testdb.SQLiteUnmigrated(t)
	var exec func(q string, args ...any)
	storetest.CheckActivityKeysMigration(t, s,
		func(version int) { exec = migrateBefore(t, s, version) },
		func(a newsroom.InboxActivity) {
			exec(`INSERT INTO inbox_activities (id, actor_id, type, org_id, raw, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
				a.ID, a.ActorID, a.Type, sqlstore.NullID(a.OrgID), a.Raw, a.ReceivedAt.UnixMicro())
		})
}
