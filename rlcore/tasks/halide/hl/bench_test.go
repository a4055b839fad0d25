package hl

import (
	"slices"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

// BenchmarkRegisterBlockVsAdams2019 times conv_layer under
// schedule.Blocked, under a hand-written register-blocked schedule and
// under Adams2019's schedule (beam 32, 5 passes), side by side: five
// rounds, each measuring every one interleaved with the default schedule;
// it reports the median speedup of each over the default (median CPU time
// of the serial default / median wall time).
//
//	go test ./rlcore/tasks/halide/hl -run '^$' -bench RegisterBlockVsAdams2019 -benchtime 1x
func BenchmarkRegisterBlockVsAdams2019(b *testing.B) {
	p := pipeline(b, "conv_layer")
	hand, err := schedule.Parse(p, "conv_layer: conv=tiles,tile(16x4),vec16,block,blockc4 relu=root,tile(32x16),vec16,par")
	if err != nil {
		b.Fatal(err)
	}
	contenders := []struct {
		name string
		req  Request
	}{
		{"blocked", Request{Directives: schedule.Blocked(p).Directives()}},
		{"hand", Request{Directives: hand.Directives()}},
		{"adams2019", Request{AutoScheduler: "Adams2019", BeamSize: 32, Passes: 5}},
	}
	for range b.N {
		speedups := make([][]float64, len(contenders))
		for range 5 {
			for i, c := range contenders {
				req := c.req
				req.Pipeline, req.Warmup, req.Runs, req.MaxRuns, req.MinTimeMs, req.Interleave = p.Name, 3, 7, 100, 200, true
				r, err := Measure(req)
				if err != nil {
					b.Fatalf("%s: %v", c.name, err)
				}
				if r.MaxAbsErr > 1e-4*r.MaxRef {
					b.Fatalf("%s: output differs from the default's by %g", c.name, r.MaxAbsErr)
				}
				speedups[i] = append(speedups[i], median(r.RefCPUMs)/median(r.TimesMs))
			}
		}
		for i, c := range contenders {
			b.ReportMetric(median(speedups[i]), c.name+"-speedup")
		}
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
