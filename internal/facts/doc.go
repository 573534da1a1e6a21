// Package facts is what the caseload rules read: the per-operation Store
// that loads the practice's rules and the histories of the clients an
// operation touches, in bulk, and the figures of whole caseloads (health,
// To-Do, calendar, backfill candidates, rule-based filters and ranking)
// with the records they point at.
//
// It is, with internal/metrics and the database opener, one of the places
// where SQL bypasses ent: the histories' records are read by one lean
// UNION statement (histories.go). It keeps to the privacy rules this way:
//
//   - every client is first read through ent, whose privacy rules
//     (internal/rule) decide which clients the viewer may read; the lean
//     statement is only given the ids of those clients, so a client the
//     viewer may not see has no history;
//   - the statement filters by the viewer's practice itself as well, so an
//     id of another practice reads nothing;
//   - it reads no identifying field and no note text (only ids, times,
//     kinds and statuses); everything else (clients, caregivers, documents,
//     sessions, contacts) is read through ent, whose privacy rules and audit
//     columns apply as to any other read;
//   - a whole caseload's figures are computed only for a viewer who may read
//     that caseload (Caseload returns ErrNotReadable otherwise).
package facts
