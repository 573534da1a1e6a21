package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestUnavailableAndRetryable(t *testing.T) {
	for _, c := range []struct {
		err                    error
		unavailable, retryable bool
	}{
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true, false},
		{fmt.Errorf("ent: %w", driver.ErrBadConn), true, false},
		{sql.ErrConnDone, true, false},
		{errors.New("sql: database is closed"), true, false},
		{fmt.Errorf("querying: %w", context.DeadlineExceeded), true, false},
		{&pq.Error{Code: "57P01"}, true, false},
		{&pq.Error{Code: "08006"}, true, false},
		{&pq.Error{Code: "40P01"}, false, true},
		{&pq.Error{Code: "40001"}, false, true},
		{&pq.Error{Code: "23505"}, false, false},
		{&pq.Error{Code: "57014"}, false, false},
		{sql.ErrNoRows, false, false},
		{context.Canceled, false, false},
		{nil, false, false},
	} {
		if got := Unavailable(c.err); got != c.unavailable {
			t.Errorf("Unavailable(%v) = %v", c.err, got)
		}
		if got := Retryable(c.err); got != c.retryable {
			t.Errorf("Retryable(%v) = %v", c.err, got)
		}
	}
}
