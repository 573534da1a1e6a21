package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter is an ent driver that counts the SQL statements sent through it,
// in and out of transactions, so tests can assert a request's statement count.
type Counter struct {
	dialect.Driver
	n atomic.Int64

	mu      sync.Mutex
	queries []string
}

// NewCounter wraps drv.
func NewCounter(drv dialect.Driver) *Counter { return &Counter{Driver: drv} }

// Count returns the statements sent so far.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Reset sets the count back to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.queries = nil
}

// Statements returns the statements sent since the last Reset, to show in a
// failing test which one repeats.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.queries...)
}

func (c *Counter) record(query string) {
	c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries = append(c.queries, query)
}

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.record(query)
	return c.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.record(query)
	return c.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (c *Counter) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := c.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.record(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.record(query)
	return t.Tx.Query(ctx, query, args, v)
}

type queryContexter interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QueryContext counts and runs a query for database/sql rows (ent's
// Client.QueryContext).
func (c *Counter) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := c.Driver.(queryContexter)
	if !ok {
		return nil, fmt.Errorf("testdb: driver %T does not support QueryContext", c.Driver)
	}
	c.record(query)
	return q.QueryContext(ctx, query, args...)
}

// QueryContext counts and runs a query for database/sql rows.
func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := t.Tx.(queryContexter)
	if !ok {
		return nil, fmt.Errorf("testdb: transaction %T does not support QueryContext", t.Tx)
	}
	t.c.record(query)
	return q.QueryContext(ctx, query, args...)
}
