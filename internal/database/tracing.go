package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"time"
	"unicode"

	"entgo.io/ent/dialect"
	"github.com/XSAM/otelsql"
	"github.com/lib/pq"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// openSQL opens the pool; with a tracer provider, through otelsql, which
// gives every statement, transaction and new connection a client span
// (db.system.name, db.operation.name, and db.query.text: the statement as
// sent, whose values are bound arguments, never recorded). A failed
// statement's span gets the error status and the error's type; its message,
// which may quote a value, is removed by the server's exporter.
func openSQL(driverName, dialectName, source string, tp trace.TracerProvider, ioTimeout time.Duration) (*sql.DB, error) {
	var connector driver.Connector
	if dialectName == dialect.Postgres && ioTimeout > 0 {
		c, err := pq.NewConnector(source)
		if err != nil {
			return nil, errors.New("the PostgreSQL URL is not valid") // the error may quote it
		}
		c.Dialer(&ioDialer{timeout: ioTimeout})
		connector = c
	}
	if tp == nil {
		if connector != nil {
			return sql.OpenDB(connector), nil
		}
		return sql.Open(driverName, source)
	}
	system := semconv.DBSystemNameSQLite
	if dialectName == dialect.Postgres {
		system = semconv.DBSystemNamePostgreSQL
	}
	options := []otelsql.Option{
		otelsql.WithTracerProvider(tp),
		// Metrics are the server's own (Prometheus), not otelsql's.
		otelsql.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelsql.WithAttributes(system),
		otelsql.WithSpanNameFormatter(func(_ context.Context, method otelsql.Method, query string) string {
			if op := operation(query); op != "" {
				return op
			}
			return string(method)
		}),
		otelsql.WithAttributesGetter(func(_ context.Context, _ otelsql.Method, query string, _ []driver.NamedValue) []attribute.KeyValue {
			if op := operation(query); op != "" {
				return []attribute.KeyValue{semconv.DBOperationName(op)}
			}
			return nil
		}),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			DisableErrSkip:       true,
			OmitRows:             true,
			OmitConnResetSession: true,
			RecordError:          func(err error) bool { return !errors.Is(err, sql.ErrNoRows) },
		}),
	}
	if connector != nil {
		return otelsql.OpenDB(connector, options...), nil
	}
	return otelsql.Open(driverName, source, options...)
}

// operation is what a statement does, its first word in capitals (SELECT,
// INSERT, WITH, DO...): the name of its span and its db.operation.name. A
// span without a statement (a transaction's begin and commit, a new
// connection) keeps otelsql's name of the method (sql.conn.begin_tx...).
// The word is a keyword, never a value: "" unless it is letters only.
func operation(query string) string {
	word := strings.TrimLeftFunc(query, unicode.IsSpace)
	if end := strings.IndexFunc(word, unicode.IsSpace); end >= 0 {
		word = word[:end]
	}
	if word == "" || len(word) > 16 {
		return ""
	}
	for _, r := range word {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return ""
		}
	}
	return strings.ToUpper(word)
}
