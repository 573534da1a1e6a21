package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request sends one request of an operation (the i-th of its run) and
// returns the SQL statements the server reported for it (-1: not reported).
type request func(ctx context.Context, i int) (statements int, err error)

// load bounds one measured run: at most Requests requests, for at most
// Duration, after Warmup requests that are not measured.
type load struct {
	Concurrency int
	Requests    int
	Duration    time.Duration
	Warmup      int
	// CPU, when set, reads the CPU time so far of whatever serves the
	// operation and of the database; the run records what its measured
	// requests cost.
	CPU func() (server, database time.Duration)
}

// result is what one run of one operation measured, client-side.
type result struct {
	Operation   string
	Concurrency int
	Requests    int
	Errors      int
	// FirstError is the first error seen, to show why a run failed.
	FirstError string
	Elapsed    time.Duration
	// PeakMemory is the server's peak resident set size during the run
	// (bytes; 0 when unknown).
	PeakMemory int64
	// Latencies are sorted, fastest first.
	Latencies []time.Duration
	// Statements per request: min, max and mean of what the server reported.
	StatementsMin, StatementsMax int
	StatementsMean               float64
	statementsSeen               int
	// CPUServer and CPUDatabase are the CPU time of the serving process and
	// of the database's processes over the measured requests (0: unknown).
	CPUServer, CPUDatabase time.Duration
}

// CPUPerRequest is the serving process's and the database's CPU time per
// measured request.
func (r *result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return (r.CPUServer + r.CPUDatabase) / time.Duration(r.Requests)
}

// RPS is requests completed per second of the run.
func (r *result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which p (0-100) of the requests
// finished (nearest rank).
func (r *result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(r.Latencies)))) - 1
	rank = max(0, min(rank, len(r.Latencies)-1))
	return r.Latencies[rank]
}

// run drives send: Warmup requests first (errors there count too), then
// Concurrency workers sharing the request budget until it or the time is
// used up. first is the index of the first request, so that operations
// which must not repeat an input (bookings) keep counting across runs.
func (l load) run(ctx context.Context, name string, first int, send request) (*result, int) {
	res := &result{Operation: name, Concurrency: l.Concurrency, StatementsMin: math.MaxInt}
	var mu sync.Mutex
	record := func(d time.Duration, statements int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
		}
		if d >= 0 {
			res.Latencies = append(res.Latencies, d)
		}
		if statements >= 0 && d >= 0 {
			res.statementsSeen++
			res.StatementsMin = min(res.StatementsMin, statements)
			res.StatementsMax = max(res.StatementsMax, statements)
			res.StatementsMean += float64(statements)
		}
	}
	counter := atomic.Int64{}
	counter.Store(int64(first))
	// The warm-up runs at the run's concurrency too (connections, caches,
	// the pool), for at most a third of the run's time.
	var warm atomic.Int64
	warmUntil := time.Now().Add(l.Duration / 3)
	var wwg sync.WaitGroup
	for range l.Concurrency {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			for ctx.Err() == nil && time.Now().Before(warmUntil) && warm.Add(1) <= int64(l.Warmup) {
				if _, err := send(ctx, int(counter.Add(1)-1)); err != nil {
					record(-1, -1, err)
				}
			}
		}()
	}
	wwg.Wait()
	var sent atomic.Int64
	deadline := time.Now().Add(l.Duration)
	var cpuServer, cpuDatabase time.Duration
	if l.CPU != nil {
		cpuServer, cpuDatabase = l.CPU()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if sent.Add(1) > int64(l.Requests) {
					return
				}
				i := int(counter.Add(1) - 1)
				began := time.Now()
				statements, err := send(ctx, i)
				record(time.Since(began), statements, err)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if l.CPU != nil {
		server, database := l.CPU()
		res.CPUServer, res.CPUDatabase = server-cpuServer, database-cpuDatabase
	}
	res.Requests = len(res.Latencies)
	slices.Sort(res.Latencies)
	if res.statementsSeen > 0 {
		res.StatementsMean /= float64(res.statementsSeen)
	} else {
		res.StatementsMin, res.StatementsMax = -1, -1
	}
	return res, int(counter.Load())
}
