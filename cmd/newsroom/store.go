package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
)

// migratingStore is a store that manages its own schema.
type migratingStore interface {
	store.Store
	store.Migrator
}

// parseAndOpen parses a command's flags and opens the database they name,
// migrated: the start of every command that reads or writes it. The
// caller closes the store.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, cf *config.Flags, args []string, e env) (config.Config, migratingStore, error) {
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return cfg, nil, err
	}
	st, err := openStore(ctx, cfg, true)
	return cfg, st, err
}

// openStore opens the configured database. With migrate set it applies
// pending migrations, which also refuses a database newer than this binary.
func openStore(ctx context.Context, cfg config.Config, migrate bool) (migratingStore, error) {
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	var st migratingStore
	switch cfg.Backend() {
	case "postgres":
		s, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("database-url (NEWSROOM_DATABASE_URL): cannot open PostgreSQL: %w", err)
		}
		st = s
	default:
		path := cfg.SQLitePath()
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("database-url (NEWSROOM_DATABASE_URL): cannot create the directory of %s: %w", path, err)
		}
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			return nil, fmt.Errorf("database-url (NEWSROOM_DATABASE_URL): cannot open SQLite database %s: %w", path, err)
		}
		st = s
	}
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("database-url (NEWSROOM_DATABASE_URL): database unreachable: %w", err)
	}
	if migrate {
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

// ensureDataDir creates the data directory and proves it is writable, so
// that a wrong setting fails at start with its name, not later on upload.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data-dir (NEWSROOM_DATA_DIR): cannot create %s: %w", dir, errors.Unwrap(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data-dir (NEWSROOM_DATA_DIR): %s is not writable: %w", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
