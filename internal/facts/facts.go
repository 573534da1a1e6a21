// Package facts is what the caseload rules read: the per-operation store
// that loads the histories of the clients an operation touches in bulk, and
// the statements that feed it.
package facts
