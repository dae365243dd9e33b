package migrations_test

import (
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/migrations"
)

// Both dialects carry the same migrations, so a version means one schema.
func TestDialectsMatch(t *testing.T) {
	lite, err := store.LoadMigrations(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.LoadMigrations(migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("%d sqlite and %d postgres migrations", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != i+1 {
			t.Errorf("migration %s: version %d, want %d (no gaps)", lite[i].Name, lite[i].Version, i+1)
		}
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %s, postgres %s", i+1, lite[i].Name, pg[i].Name)
		}
	}
}
