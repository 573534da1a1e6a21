package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// Unavailable reports whether err means that the database cannot be
// reached or did not answer in time: the connection was refused, reset or
// closed, the server is shutting down or starting (SQLSTATE 57P01-57P03),
// a connection exception (class 08), too many connections (53300), the
// pool is closed, or the caller's deadline passed while it waited for the
// database. The API answers such an error with 503 UNAVAILABLE and
// Retry-After, never with an error of the client's (a signed-in user is not
// signed out because the database is down).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	switch state := sqlState(err); {
	case strings.HasPrefix(state, "08"), state == "57P01", state == "57P02", state == "57P03", state == "53300":
		return true
	case state != "":
		return false // the database answered
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.As(err, &netErr):
		return true
	}
	// database/sql's "sql: database is closed" has no variable to compare.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// Retryable reports whether err is PostgreSQL giving up one of two
// transactions that ran into each other, a deadlock (40P01) or a
// serialization failure (40001): the same transaction run again succeeds.
func Retryable(err error) bool {
	switch sqlState(err) {
	case "40P01", "40001":
		return true
	}
	return false
}

// sqlState returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func sqlState(err error) string {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		return pgErr.SQLState()
	}
	return ""
}

// ioDialer dials PostgreSQL connections whose every read and write must
// progress within timeout. lib/pq stops a statement whose context ends by
// sending a cancel request over a new connection and then waits for the
// server's answer on the old one: against a database that is frozen (a
// hung host, a network partition) neither ever comes, and the request
// would hang as long as the freeze. With the deadline the blocked read
// fails, the connection is dropped, and the request answers UNAVAILABLE.
// The statement timeout ends slow statements on the server well before.
type ioDialer struct {
	d       net.Dialer
	timeout time.Duration
}

func (d *ioDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d *ioDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d *ioDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := d.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetKeepAlive(true)
		_ = tcp.SetKeepAlivePeriod(15 * time.Second)
	}
	return &ioConn{Conn: c, timeout: d.timeout}, nil
}

// ioConn sets a deadline before each read and write.
type ioConn struct {
	net.Conn
	timeout time.Duration
}

func (c *ioConn) Read(p []byte) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *ioConn) Write(p []byte) (int, error) {
	_ = c.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}
