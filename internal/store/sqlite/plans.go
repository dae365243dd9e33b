package sqlite

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// stablePlans turns on SQLite's query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG) on a new connection.
//
// Without it SQLite plans some statements with the values bound to them,
// and marks such a statement to be prepared again whenever one of those
// values changes: a LIMIT given as a parameter is one. River's fetch
// (JobGetAvailable) binds a queue's free worker slots as its LIMIT, and
// our three queues poll through the one write connection, so through one
// cached statement: each poll re-prepared it, which was 85–90 % of a
// poll's processor time, idle or busy, and 0.05–0.09 ms of a delivery.
// With the guarantee a statement keeps the plan it was prepared with;
// none of our plans depends on values (we keep no sqlite_stat4).
//
// modernc.org/sqlite does not expose sqlite3_db_config, so the handle is
// read from its connection by reflection; TestStablePlans fails if a new
// version of the driver moves it.
func stablePlans(conn driver.Conn) error {
	tls, db, err := handle(conn)
	if err != nil {
		return err
	}
	// sqlite3_db_config(db, op, int onoff, int *pRes): the variadic
	// arguments in libc's layout, one 8-byte slot each, then pRes.
	// C memory, zeroed, since SQLite writes the setting back through pRes.
	bp := libc.Xcalloc(tls, 3, 8)
	if bp == 0 {
		return errors.New("sqlite: stable plans: out of memory")
	}
	defer libc.Xfree(tls, bp)
	res := bp + 2*8
	rc := sqlite3.Xsqlite3_db_config(tls, db, sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, libc.VaList(bp, int32(1), res))
	if rc != sqlite3.SQLITE_OK || binary.NativeEndian.Uint32(libc.GoBytes(res, 4)) != 1 {
		return fmt.Errorf("sqlite: stable plans: sqlite3_db_config returned %d", rc)
	}
	return nil
}

// handle reads the C handle and thread state of a modernc.org/sqlite
// connection (unexported fields db and tls of its *conn).
func handle(conn driver.Conn) (*libc.TLS, uintptr, error) {
	v := reflect.ValueOf(conn)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, 0, fmt.Errorf("sqlite: unexpected driver connection %T", conn)
	}
	s := v.Elem()
	db, tls := s.FieldByName("db"), s.FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		return nil, 0, fmt.Errorf("sqlite: driver connection %T has no db and tls handles", conn)
	}
	h := *(*uintptr)(unsafe.Pointer(db.UnsafeAddr()))
	t := *(**libc.TLS)(unsafe.Pointer(tls.UnsafeAddr()))
	if h == 0 || t == nil {
		return nil, 0, errors.New("sqlite: driver connection is closed")
	}
	return t, h, nil
}
