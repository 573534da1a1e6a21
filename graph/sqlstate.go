package graph

import "errors"

// SQLSTATE codes of PostgreSQL errors the presenter tells apart.
const (
	// sqlStateQueryCanceled is a statement stopped by statement_timeout
	// (CASELOAD_STATEMENT_TIMEOUT).
	sqlStateQueryCanceled = "57014"
	// sqlStateDataException is the class of a value the database refuses:
	// text for a time column, a number out of range, a NUL byte in text.
	sqlStateDataException = "22"
)

// sqlState returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func sqlState(err error) string {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		return pgErr.SQLState()
	}
	return ""
}
