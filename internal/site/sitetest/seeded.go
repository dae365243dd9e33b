package sitetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/view"
)

// Seeded is what the site's tests start from: a migrated SQLite store
// seeded by Seed at now (to the second), its media directory, and the
// views.
type Seeded struct {
	DB       *sqlite.Store
	Fixture  *Fixture
	MediaDir string
	Views    *view.Engine
	Now      time.Time
}

// SeedSQLite makes a Seeded in t's temporary directory.
func SeedSQLite(t testing.TB) Seeded {
	t.Helper()
	s := Seeded{DB: testdb.SQLite(t), MediaDir: filepath.Join(t.TempDir(), "media"), Now: time.Now().UTC().Truncate(time.Second)}
	var err error
	if s.Fixture, err = Seed(t.Context(), s.DB, s.MediaDir, s.Now); err != nil {
		t.Fatal(err)
	}
	if s.Views, err = view.New(); err != nil {
		t.Fatal(err)
	}
	return s
}
