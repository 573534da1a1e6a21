package facts

import (
	"context"
	"sort"
	"sync"
)

// batch loads records by key for one operation, all pending keys at once.
// Keys are registered as the operation meets them (an ent interceptor sees
// every client and appointment it reads; rules register the records they
// point at); the first Get loads every registered key in one fetch. The
// number of fetches therefore depends on the shape of the operation, never
// on how many records it returns, and no timing window is involved.
type batch[V any] struct {
	fetch func(ctx context.Context, keys []int) (map[int]V, error)

	mu      sync.Mutex
	pending map[int]bool
	loaded  map[int]V
	tried   map[int]bool
}

func newBatch[V any](fetch func(ctx context.Context, keys []int) (map[int]V, error)) *batch[V] {
	return &batch[V]{fetch: fetch, pending: map[int]bool{}, loaded: map[int]V{}, tried: map[int]bool{}}
}

// register notes keys a later Get will probably ask for.
func (b *batch[V]) register(keys ...int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		if k != 0 && !b.tried[k] {
			b.pending[k] = true
		}
	}
}

// getAll returns the values of keys (missing ones: not visible or not there),
// loading every pending key in one fetch first when one of keys is not
// loaded yet (the pending keys wait for the first get that needs a fetch).
func (b *batch[V]) getAll(ctx context.Context, keys ...int) (map[int]V, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	need := false
	for _, k := range keys {
		if k != 0 && !b.tried[k] {
			b.pending[k] = true
			need = true
		}
	}
	if need {
		ks := make([]int, 0, len(b.pending))
		for k := range b.pending {
			ks = append(ks, k)
		}
		sort.Ints(ks)
		got, err := b.fetch(ctx, ks)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if v, ok := got[k]; ok {
				b.loaded[k] = v
			}
			b.tried[k] = true
			delete(b.pending, k)
		}
	}
	out := make(map[int]V, len(keys))
	for _, k := range keys {
		if v, ok := b.loaded[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// get returns one value, or false when it is not visible or not there.
func (b *batch[V]) get(ctx context.Context, key int) (V, bool, error) {
	// Most gets of a screen find their key loaded: answer without the map
	// getAll builds (a dashboard asks some thousands of times).
	b.mu.Lock()
	if b.tried[key] {
		v, ok := b.loaded[key]
		b.mu.Unlock()
		return v, ok, nil
	}
	b.mu.Unlock()
	m, err := b.getAll(ctx, key)
	if err != nil {
		var zero V
		return zero, false, err
	}
	v, ok := m[key]
	return v, ok, nil
}

// prime stores a value loaded by another query (e.g. with a history).
func (b *batch[V]) prime(key int, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.loaded[key] = v
	b.tried[key] = true
	delete(b.pending, key)
}

// cached returns the values already loaded for keys, and the keys missing.
func (b *batch[V]) cached(keys []int) (map[int]V, []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	found := make(map[int]V, len(keys))
	var missing []int
	for _, k := range keys {
		if v, ok := b.loaded[k]; ok {
			found[k] = v
		} else {
			missing = append(missing, k)
		}
	}
	return found, missing
}
