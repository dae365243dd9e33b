package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest"
)

func openFile(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// A post deleted by another process on the file (the command line) is
// seen by the serving process's watcher.
func TestWatchSeesOtherProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newsroom.db")
	server, cli := openFile(t, path), openFile(t, path)
	ctx := t.Context()
	org := &newsroom.Organisation{Handle: "soga", Name: "SOGA", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := cli.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	changed := storetest.Watch(t, server)
	p := &newsroom.Post{ID: "01P", OrgID: org.ID, Kind: newsroom.KindPress, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Communiqué"}
	if err := cli.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	storetest.WantChange(t, changed, "after another process published")
	p.Status = newsroom.StatusDeleted
	if err := cli.UpdatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	storetest.WantChange(t, changed, "after another process deleted")
}

// What a poll costs: the counter read, next to PRAGMA data_version, which
// needs no table but moves with every commit (likes, jobs) made through
// another connection, this process's writer included.
func BenchmarkPollChanges(b *testing.B) {
	s := openFile(b, filepath.Join(b.TempDir(), "newsroom.db"))
	for _, q := range []string{"SELECT n FROM changes WHERE id = 1", "PRAGMA data_version"} {
		b.Run(q, func(b *testing.B) {
			var n int64
			for b.Loop() {
				if err := s.ReadDB().QueryRowContext(b.Context(), q).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
