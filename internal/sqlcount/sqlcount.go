// Package sqlcount counts the SQL statements of each request: an ent driver
// that adds every statement it sends, in and out of transactions, to the
// counter on the statement's context. The server's HTTP middleware puts a
// fresh counter on every request's context, logs the count and, when asked
// to, returns it in a response header (the benchmark reads it there).
package sqlcount

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the statements of one request. Resolvers of one request
// run concurrently, so it is safe for concurrent use.
type Counter struct{ n atomic.Int64 }

// Count returns the statements counted so far.
func (c *Counter) Count() int { return int(c.n.Load()) }

type contextKey struct{}

// NewContext returns ctx carrying c: statements sent with the returned
// context (or one derived from it) are counted in c.
func NewContext(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

// FromContext returns the counter of ctx, or nil.
func FromContext(ctx context.Context) *Counter {
	c, _ := ctx.Value(contextKey{}).(*Counter)
	return c
}

func count(ctx context.Context) {
	if c := FromContext(ctx); c != nil {
		c.n.Add(1)
	}
}

// Wrap returns drv counting every statement in the counter of its context.
// A statement whose context carries no counter (migrations, background
// work) is sent uncounted.
func Wrap(drv dialect.Driver) dialect.Driver { return &driver{Driver: drv} }

type driver struct{ dialect.Driver }

func (d *driver) Exec(ctx context.Context, query string, args, v any) error {
	count(ctx)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *driver) Query(ctx context.Context, query string, args, v any) error {
	count(ctx)
	return d.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (d *driver) Tx(ctx context.Context) (dialect.Tx, error) {
	t, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t}, nil
}

// BeginTx is Tx with options, for ent clients that ask for them; it fails
// as ent's own driver would when the wrapped driver has no such method.
func (d *driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("sqlcount: driver %T does not support BeginTx", d.Driver)
	}
	t, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t}, nil
}

type tx struct{ dialect.Tx }

func (t *tx) Exec(ctx context.Context, query string, args, v any) error {
	count(ctx)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *tx) Query(ctx context.Context, query string, args, v any) error {
	count(ctx)
	return t.Tx.Query(ctx, query, args, v)
}

// queryContexter is what ent's generated QueryContext needs of a driver:
// entsql's drivers and transactions have it.
type queryContexter interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QueryContext counts and runs a query for database/sql rows (ent's
// Client.QueryContext, which the rules' lean history reads use).
func (d *driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := d.Driver.(queryContexter)
	if !ok {
		return nil, fmt.Errorf("sqlcount: driver %T does not support QueryContext", d.Driver)
	}
	count(ctx)
	return q.QueryContext(ctx, query, args...)
}

// QueryContext counts and runs a query for database/sql rows.
func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := t.Tx.(queryContexter)
	if !ok {
		return nil, fmt.Errorf("sqlcount: transaction %T does not support QueryContext", t.Tx)
	}
	count(ctx)
	return q.QueryContext(ctx, query, args...)
}
