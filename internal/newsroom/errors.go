// Package newsroom holds the domain types and rules shared by every layer:
// organisations, users, posts, followers and the activities that move
// between us and the fediverse. It imports nothing from the project.
package newsroom

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors that storage and services return. HTTP handlers map them
// to status codes in one place; their text is safe to show.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("already exists")
	ErrForbidden = errors.New("forbidden")
	ErrGone      = errors.New("gone")
)

// ValidationError collects per-field messages so that a form can be shown
// again with each error next to its field. Keys are field names; values are
// message identifiers the UI translates.
type ValidationError struct {
	Fields map[string]string
}

// Add records a problem with field.
func (v *ValidationError) Add(field, msg string) {
	if v.Fields == nil {
		v.Fields = make(map[string]string)
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = msg
	}
}

// Err returns v when it holds at least one problem, nil otherwise.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", k, v.Fields[k]))
	}
	return "invalid input: " + strings.Join(parts, "; ")
}
