package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrator is implemented by both backends: it brings the schema, ours and
// River's, up to date and reports where it stands.
type Migrator interface {
	// Migrate applies every pending migration, each in its own transaction.
	// It refuses a database whose schema is newer than this binary's with
	// a *SchemaTooNewError.
	Migrate(ctx context.Context) error
	// MigrationStatus lists our migrations, then River's, in version order.
	MigrationStatus(ctx context.Context) ([]MigrationState, error)
	// CheckSchema returns nil when the database is exactly up to date, a
	// *SchemaTooNewError when it is newer than this binary, and
	// ErrMigrationsPending when migrations remain to be applied.
	CheckSchema(ctx context.Context) error
}

// Sources of migrations, as shown by MigrationState.Source.
const (
	SourceNewsroom = "newsroom"
	SourceRiver    = "river"
)

// MigrationState is one migration and whether the database has it.
type MigrationState struct {
	Source    string // SourceNewsroom or SourceRiver
	Version   int
	Name      string
	Applied   bool
	AppliedAt time.Time // zero when pending, or not recorded (River)
	// Unknown is set for a version the database has and this binary
	// does not: the database was migrated by a newer release.
	Unknown bool
}

// ErrMigrationsPending is returned by CheckSchema when the database needs
// `newsroom migrate`.
var ErrMigrationsPending = errors.New("the database schema is out of date: run `newsroom migrate`")

// SchemaTooNewError refuses a database migrated by a newer release.
type SchemaTooNewError struct {
	Database int // highest version applied to the database
	Known    int // highest version this binary embeds
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this binary knows (%d): upgrade newsroom", e.Database, e.Known)
}

// MigrationFile is one embedded file named NNNN_description.sql.
type MigrationFile struct {
	Version int
	Name    string // the file name without its extension
	SQL     string
}

// LoadMigrations reads the .sql files at the root of fsys, sorted by
// version. Two files with one version are an error.
func LoadMigrations(fsys fs.FS) ([]MigrationFile, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("store: list migrations: %w", err)
	}
	files := make([]MigrationFile, 0, len(names))
	for _, name := range names {
		f, err := loadMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b MigrationFile) int { return a.Version - b.Version })
	for i := 1; i < len(files); i++ {
		if files[i].Version == files[i-1].Version {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", files[i-1].Name, files[i].Name, files[i].Version)
		}
	}
	return files, nil
}

func loadMigration(fsys fs.FS, name string) (MigrationFile, error) {
	base := strings.TrimSuffix(path.Base(name), ".sql")
	num, _, _ := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if err != nil || v <= 0 {
		return MigrationFile{}, fmt.Errorf("store: migration %s: name must start with a positive version number", name)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return MigrationFile{}, fmt.Errorf("store: read migration %s: %w", name, err)
	}
	return MigrationFile{Version: v, Name: base, SQL: string(b)}, nil
}

// CheckNotNewer returns a *SchemaTooNewError when the database holds a
// version beyond the last of files.
func CheckNotNewer(applied []AppliedMigration, files []MigrationFile) error {
	newest, known := 0, 0
	for _, a := range applied {
		newest = max(newest, a.Version)
	}
	if len(files) > 0 {
		known = files[len(files)-1].Version
	}
	if newest > known {
		return &SchemaTooNewError{Database: newest, Known: known}
	}
	return nil
}

// AppliedMigration is a row of schema_migrations.
type AppliedMigration struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

// MigrationStates merges the embedded files with the applied rows, in
// version order, unknown applied versions included.
func MigrationStates(files []MigrationFile, applied []AppliedMigration) []MigrationState {
	byVersion := make(map[int]AppliedMigration, len(applied))
	for _, a := range applied {
		byVersion[a.Version] = a
	}
	states := make([]MigrationState, 0, len(files)+len(applied))
	for _, f := range files {
		a, ok := byVersion[f.Version]
		delete(byVersion, f.Version)
		states = append(states, MigrationState{
			Source: SourceNewsroom, Version: f.Version, Name: f.Name,
			Applied: ok, AppliedAt: a.AppliedAt,
		})
	}
	for _, a := range byVersion {
		states = append(states, MigrationState{
			Source: SourceNewsroom, Version: a.Version, Name: a.Name,
			Applied: true, AppliedAt: a.AppliedAt, Unknown: true,
		})
	}
	slices.SortFunc(states, func(a, b MigrationState) int { return a.Version - b.Version })
	return states
}

// CheckStates is CheckSchema computed from a status listing.
func CheckStates(states []MigrationState) error {
	known, newest := 0, 0
	pending := false
	for _, s := range states {
		if s.Source != SourceNewsroom {
			pending = pending || !s.Applied
			continue
		}
		if !s.Unknown {
			known = max(known, s.Version)
		}
		if s.Applied {
			newest = max(newest, s.Version)
		}
		pending = pending || !s.Applied
	}
	if newest > known {
		return &SchemaTooNewError{Database: newest, Known: known}
	}
	if pending {
		return ErrMigrationsPending
	}
	return nil
}

// Pending returns the files not yet applied, in order. A backend still
// checks each one inside its transaction, for a process migrating at the
// same moment.
func Pending(files []MigrationFile, applied []AppliedMigration) []MigrationFile {
	done := make(map[int]bool, len(applied))
	for _, a := range applied {
		done[a.Version] = true
	}
	var pending []MigrationFile
	for _, f := range files {
		if !done[f.Version] {
			pending = append(pending, f)
		}
	}
	return pending
}

// RiverMigrator returns River's migrator over driver.
func RiverMigrator[TTx any](driver riverdriver.Driver[TTx]) (*rivermigrate.Migrator[TTx], error) {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, fmt.Errorf("store: river migrator: %w", err)
	}
	return m, nil
}

// MigrateRiver applies River's own migrations over driver.
func MigrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := RiverMigrator(driver)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: river migrations: %w", err)
	}
	return nil
}

// Status lists a database's migrations, ours then River's, for either
// backend: ours from fsys and from what applied reads of
// schema_migrations (nothing while the table is not there), River's over
// driver. It changes nothing.
func Status[TTx any](ctx context.Context, fsys fs.FS, applied func(context.Context) ([]AppliedMigration, error), driver riverdriver.Driver[TTx]) ([]MigrationState, error) {
	files, err := LoadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	done, err := applied(ctx)
	if err != nil {
		return nil, err
	}
	m, err := RiverMigrator(driver)
	if err != nil {
		return nil, err
	}
	river, err := riverStates(ctx, m)
	if err != nil {
		return nil, err
	}
	return append(MigrationStates(files, done), river...), nil
}

// riverStates lists River's migrations as m sees them in the database.
func riverStates[TTx any](ctx context.Context, m *rivermigrate.Migrator[TTx]) ([]MigrationState, error) {
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: river migrations: %w", err)
	}
	applied := make(map[int]bool, len(existing))
	for _, e := range existing {
		applied[e.Version] = true
	}
	var states []MigrationState
	for _, v := range m.AllVersions() {
		states = append(states, MigrationState{
			Source: SourceRiver, Version: v.Version, Name: v.Name, Applied: applied[v.Version],
		})
	}
	return states, nil
}
