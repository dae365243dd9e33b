package sqlite_test

import (
	"testing"

	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestConnectionSettings(t *testing.T) {
	ctx := t.Context()
	s := testdb.SQLite(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000",
	} {
		var got string
		if err := s.WriteDB().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("write connection: %s = %s, want %s", pragma, got, want)
		}
	}
	if n := s.WriteDB().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("write pool holds %d connections, want 1", n)
	}
	var queryOnly string
	if err := s.ReadDB().QueryRowContext(ctx, "PRAGMA query_only").Scan(&queryOnly); err != nil {
		t.Fatal(err)
	}
	if queryOnly != "1" {
		t.Errorf("read connection: query_only = %s, want 1", queryOnly)
	}
	if _, err := s.ReadDB().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('a', 'b')`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if s, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}
