package search

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// BenchmarkParallelPulls runs the same fixed set of 8 CPU-bound pulls (the
// synthetic algorithm does real arithmetic each step) with 1 and with 2
// workers. Compare the two ns/op: the speed-up of parallel pulls.
func BenchmarkParallelPulls(b *testing.B) {
	spec := synSpec("bench")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"work": 20_000}}}
	n := len(spec.Arms())
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				res, err := Search(context.Background(), spec, Options{Strategy: "grid", Budget: rlcore.Budget{Pulls: n}, Workers: workers, NoStore: true, Logger: quiet})
				if err != nil || len(res.Pulls) != n || res.Winner == nil {
					b.Fatalf("search: %v, %d pulls", err, len(res.Pulls))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/pull")
		})
	}
	// On a shared machine the load drifts between the two sub-benchmarks;
	// this one alternates 1 and 2 workers within every iteration and
	// reports the ratio of their summed times.
	b.Run("speedup", func(b *testing.B) {
		var t1, t2 time.Duration
		for b.Loop() {
			for _, workers := range []int{1, 2} {
				start := time.Now()
				if _, err := Search(context.Background(), spec, Options{Strategy: "grid", Budget: rlcore.Budget{Pulls: n}, Workers: workers, NoStore: true, Logger: quiet}); err != nil {
					b.Fatal(err)
				}
				if workers == 1 {
					t1 += time.Since(start)
				} else {
					t2 += time.Since(start)
				}
			}
		}
		b.ReportMetric(float64(t1)/float64(t2), "x-speedup")
	})
}
