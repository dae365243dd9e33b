package postgres_test

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/storetest"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// Another instance on the same database (another pool) publishes and
// deletes; the listener hears both. When its connection is killed, it
// reports the error, reconnects, and reports a change, since
// notifications sent meanwhile are lost. Waiting past the check interval
// keeps it listening.
func TestWatchOtherInstancesAndReconnect(t *testing.T) {
	defer postgres.SetCheckEvery(100 * time.Millisecond)()
	url := testdb.PostgresURL(t)
	server, other := testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url)
	ctx := t.Context()
	if err := server.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := &newsroom.Organisation{Handle: "soga", Name: "SOGA", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := other.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	changed := storetest.Watch(t, server)
	time.Sleep(300 * time.Millisecond) // a few checks of the connection

	p := &newsroom.Post{ID: "01P", OrgID: org.ID, Kind: newsroom.KindPress, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Communiqué"}
	if err := other.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	storetest.WantChange(t, changed, "after another instance published")

	var killed int
	if err := other.Pool().QueryRow(ctx, `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, postgres.ListenerName).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening connections, want 1", killed)
	}
	storetest.WantChange(t, changed, "after the listener reconnected")

	p.Status = newsroom.StatusDeleted
	if err := other.UpdatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	storetest.WantChange(t, changed, "after another instance deleted, once reconnected")
}
