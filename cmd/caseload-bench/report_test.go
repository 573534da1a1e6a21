package main

import (
	"strings"
	"testing"
	"time"
)

// A screen's ratio to its limit passes the target when the screen's p50,
// CPU per request and throughput are within 1.5x of its limit's, for the
// dashboard as for the caseload list (both limits read the facts
// projection, so the ratio measures what the screen adds), and without a
// limit it cannot pass.
func TestLimitTargets(t *testing.T) {
	run := func(screen string, screenMS, limitMS int) *dbRun {
		res := func(op string, ms int) *result {
			return &result{Operation: op, Concurrency: targetConcurrency, Requests: 10, Elapsed: time.Duration(ms*10) * time.Millisecond,
				Latencies: []time.Duration{time.Duration(ms) * time.Millisecond}, CPUServer: time.Duration(ms*10) * time.Millisecond}
		}
		return &dbRun{Results: []*result{res(screen, screenMS), res(screen+" limit", limitMS)}}
	}
	cases := []struct {
		screen            string
		screenMS, limitMS int
		pass              bool
		says              string
	}{
		{"caseload list", 12, 10, true, "p50 1.20x"},
		{"caseload list", 20, 10, false, "p50 2.00x"},
		{"dashboard", 10, 10, true, "p50 1.00x"},
		{"dashboard", 30, 10, false, "p50 3.00x"},
	}
	for _, tc := range cases {
		got := limitTarget(run(tc.screen, tc.screenMS, tc.limitMS), tc.screen)
		if got.Met != tc.pass || !strings.Contains(got.Measured, tc.says) {
			t.Errorf("%s at %d against %d ms: %+v, want pass %v saying %q", tc.screen, tc.screenMS, tc.limitMS, got, tc.pass, tc.says)
		}
	}
	if got := limitTarget(&dbRun{}, "caseload list"); got.Met || !strings.Contains(got.Measured, "no limit") {
		t.Errorf("without a limit: %+v", got)
	}
}
