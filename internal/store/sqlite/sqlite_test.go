package sqlite_test

import (
	"testing"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return testdb.SQLite(t) })
}
