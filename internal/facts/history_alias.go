package facts

import "github.com/caseload/caseload/internal/facts/history"

// The histories' lean statement lives in internal/facts/history, shared
// with the facts projection.
var readHistoryRecords = history.ReadRecords

type dbTime = history.Time
