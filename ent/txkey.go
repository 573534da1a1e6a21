package ent

// TxKey identifies the database transaction tx belongs to. A mutation's
// Tx() returns a new *Tx value on every call, so hooks that gather work per
// transaction (the facts projection) cannot key on it: every *Tx of one
// transaction shares this key (its driver). Written by hand: ent generates
// the rest of this package.
func TxKey(tx *Tx) any { return tx.driver }
