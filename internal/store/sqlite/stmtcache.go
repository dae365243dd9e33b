package sqlite

import (
	lru "container/list"
	"context"
	"database/sql/driver"
	"errors"
	"sync"

	"modernc.org/sqlite"
)

// stmtCacheSize bounds the prepared statements kept per connection. Our
// queries and River's are a few hundred distinct texts at most; queries
// built with a varying number of rows (multi-row INSERTs) come and go.
const stmtCacheSize = 256

// connector opens modernc.org/sqlite connections that keep their prepared
// statements.
//
// database/sql prepares a statement for every Exec or Query on a
// connection and finalizes it afterwards, and modernc.org/sqlite parses
// SQL anew each time: about half the processor time of a short query, on
// every query River runs to insert, fetch and complete a job, and on
// every query of ours. Keeping the prepared statement per connection, by
// SQL text, as SQLite intends, saves that parse: sqlite3_prepare_v2
// statements recompile themselves when the schema changes.
type connector struct {
	base driver.Connector
}

func newConnector(dsn string) (connector, error) {
	base, err := sqlite.NewConnector(dsn)
	return connector{base: base}, err
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(innerConn)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite: driver connection lacks the context methods")
	}
	if err := stablePlans(conn); err != nil {
		conn.Close()
		return nil, err
	}
	return &cachingConn{innerConn: inner, byQuery: make(map[string]*lru.Element), lru: lru.New()}, nil
}

func (c connector) Driver() driver.Driver { return c.base.Driver() }

// innerConn is what modernc.org/sqlite's connection implements.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is used by one goroutine at a time (database/sql sees to
// it), but rows of a cached statement may still be open when the same
// text is run again (a query inside a loop over another's rows): a
// statement is lent to one user at a time, and the others run uncached.
type cachingConn struct {
	innerConn

	mu      sync.Mutex // rows may be closed from another goroutine
	byQuery map[string]*lru.Element
	lru     *lru.List // of *cachedStmt, most recently used first
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool
}

// take lends the cached statement for query, preparing it if needed; nil
// when it is lent already.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			c.mu.Unlock()
			return nil, nil
		}
		cs.busy = true
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	st, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.mu.Lock()
	c.byQuery[query] = c.lru.PushFront(cs)
	var evict []*cachedStmt
	for e := c.lru.Back(); c.lru.Len() > stmtCacheSize && e != nil; {
		prev := e.Prev()
		if old := e.Value.(*cachedStmt); !old.busy {
			c.lru.Remove(e)
			delete(c.byQuery, old.query)
			evict = append(evict, old)
		}
		e = prev
	}
	c.mu.Unlock()
	for _, old := range evict {
		old.stmt.Close()
	}
	return cs, nil
}

func (c *cachingConn) give(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.ExecContext(ctx, query, args)
	}
	defer c.give(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.give(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.give(cs) }}, nil
}

// Close finalizes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	stmts := make([]driver.Stmt, 0, c.lru.Len())
	for e := c.lru.Front(); e != nil; e = e.Next() {
		stmts = append(stmts, e.Value.(*cachedStmt).stmt)
	}
	c.lru.Init()
	clear(c.byQuery)
	c.mu.Unlock()
	for _, s := range stmts {
		s.Close()
	}
	return c.innerConn.Close()
}

// cachedRows gives the statement back when the rows are closed.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
