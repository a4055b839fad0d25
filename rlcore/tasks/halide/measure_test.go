package halide

import (
	"math"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/hl"
)

// The speedup shown is the two median times shown divided, whatever the
// run-to-run noise (a median of per-run ratios was not).
func TestSummarizeFiguresAgree(t *testing.T) {
	for _, tc := range []struct {
		name          string
		ref, cand     []float64
		speedup, time float64
	}{
		{"steady", []float64{10, 10, 10}, []float64{5, 5, 5}, 2, 5},
		{"bimodal candidate", []float64{31, 32, 31, 33, 32}, []float64{15, 30, 29, 60, 16}, 32.0 / 29, 29},
		{"one preempted default run", []float64{4, 70, 4, 4, 5}, []float64{4, 4, 5, 4, 4}, 1, 4},
	} {
		m := summarize(hl.Result{TimesMs: tc.cand, RefMs: tc.ref, MaxRef: 1}, 1e-3)
		if m.Err != "" || math.Abs(m.Speedup-tc.speedup) > 1e-9 || m.TimeMs != tc.time ||
			math.Abs(m.Speedup-m.DefaultMs/m.TimeMs) > 1e-9 || m.Runs != len(tc.cand) {
			t.Errorf("%s: %+v, want speedup %v = %v / %v", tc.name, m, tc.speedup, m.DefaultMs, tc.time)
		}
		if m.Spread < 0 || m.Spread > 2 {
			t.Errorf("%s: spread %v", tc.name, m.Spread)
		}
	}
	// the default's CPU times, when given, stand for its wall times
	// (stretched by preemption here)
	if m := summarize(hl.Result{TimesMs: []float64{2, 2, 2}, RefMs: []float64{30, 50, 40}, RefCPUMs: []float64{10, 10, 11}, MaxRef: 1}, 1e-3); m.DefaultMs != 10 || m.Speedup != 5 {
		t.Errorf("default CPU times: %+v, want 10 ms and 5x", m)
	}
	if m := summarize(hl.Result{TimesMs: []float64{1}, RefMs: []float64{1}, MaxAbsErr: 0.5, MaxRef: 1}, 1e-3); !strings.Contains(m.Err, "wrong output") {
		t.Errorf("a wrong output passed: %+v", m)
	}
}

// The median of several measurements is one of them (its times and
// speedup agree), failed ones left out unless all failed.
func TestMedianMeasurement(t *testing.T) {
	ok := func(s float64) Measurement { return Measurement{Speedup: s, TimeMs: 10 / s, DefaultMs: 10, Runs: 3} }
	bad := Measurement{Err: "time-out"}
	for _, tc := range []struct {
		name string
		ms   []Measurement
		want float64
		err  bool
	}{
		{"three", []Measurement{ok(3), ok(1), ok(2)}, 2, false},
		{"even: the lower middle", []Measurement{ok(4), ok(1), ok(2), ok(3)}, 2, false},
		{"a failure left out", []Measurement{ok(5), bad, ok(1)}, 1, false},
		{"all failed", []Measurement{bad, bad}, 0, true},
	} {
		m := medianMeasurement(tc.ms)
		if (m.Err != "") != tc.err || m.Speedup != tc.want || (!tc.err && math.Abs(m.DefaultMs/m.TimeMs-m.Speedup) > 1e-9) {
			t.Errorf("%s: %+v, want speedup %v", tc.name, m, tc.want)
		}
	}
}
