// Package migrations holds the database schema as plain SQL files, one
// directory per dialect, embedded in the binary. Files are named
// NNNN_description.sql and applied in version order, each in its own
// transaction; both dialects carry the same versions.
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS

// SQLite and Postgres are the migration files of each dialect, at the root
// of their file system.
var (
	SQLite   = sub("sqlite")
	Postgres = sub("postgres")
)

func sub(dir string) fs.FS {
	f, err := fs.Sub(FS, dir)
	if err != nil {
		panic(err) // dir is a constant present in FS
	}
	return f
}
