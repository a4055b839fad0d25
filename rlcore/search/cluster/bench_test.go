package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// localPool runs jobs in this process, as the phases do by default.
type localPool struct{ p rlcore.Problem }

func (l localPool) Run(ctx context.Context, j search.Job, obs rlcore.Observer) *search.JobResult {
	return search.RunJob(ctx, l.p, j, obs)
}

// BenchmarkNoopJobs measures the coordinator's overhead per job side by
// side: the same no-op job (one step of the random baseline on a task
// whose episodes cost nothing) through the local pool and through
// JetStream (an embedded server and an in-process worker with 64 slots,
// all on this machine's cores). "seq" keeps one job in flight (the added
// latency per job); "par64" keeps 64 in flight (jobs per second).
func BenchmarkNoopJobs(b *testing.B) {
	c := newCluster(b)
	nc := c.connect()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, nc, WorkerOptions{Name: "bench", Concurrency: 64, CacheDir: b.TempDir()})
	e := c.executor(ctx, nc, Options{})
	for e.Capacity(ctx) == 0 {
	}
	executors := []struct {
		name string
		ex   search.Executor
	}{{"local", localPool{noopProblem{}}}, {"jetstream", e}}
	var run atomic.Int64
	for _, inflight := range []int{1, 64} {
		for _, x := range executors {
			b.Run(fmt.Sprintf("%s/inflight=%d", x.name, inflight), func(b *testing.B) {
				lat := make([]time.Duration, b.N)
				var next atomic.Int64
				var wg sync.WaitGroup
				prefix := strconv.FormatInt(run.Add(1), 10) + "."
				start := time.Now()
				for range inflight {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := int(next.Add(1)) - 1
							if i >= b.N {
								return
							}
							t0 := time.Now()
							r := x.ex.Run(ctx, noopJob(prefix+strconv.Itoa(i), "n0"), nil)
							lat[i] = time.Since(t0)
							if r.Pull == nil || !r.Pull.OK() {
								b.Errorf("job %d: %+v", i, r.Pull)
							}
						}
					}()
				}
				wg.Wait()
				el := time.Since(start)
				slices.Sort(lat)
				b.ReportMetric(float64(b.N)/el.Seconds(), "jobs/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			})
		}
	}
}

// BenchmarkScaling runs the same code-size search (8 pulls of 600 steps
// each, PPO and A2C on two built-in programs) through JetStream with 1, 2
// and 4 worker processes of one slot each. On a 2-core machine the
// speed-up is bounded by the 2 cores, whatever the number of workers.
func BenchmarkScaling(b *testing.B) {
	spec, err := search.ParseSpec("scaling", `task: codesize
benchmarks: builtin:crc32, builtin:bitcount
states: autophase
rewards: ic-oz
algorithms: ppo, a2c
horizon: 10
pull: 600steps
seed: 5`)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			c := newCluster(b)
			for i := range n {
				c.startWorker(fmt.Sprintf("s%d", i), 1)
			}
			nc := c.connect()
			c.waitWorkers(nc, n)
			ctx := context.Background()
			e := c.executor(ctx, nc, Options{})
			// Warm every worker up (benchmarks compiled, -Oz counted).
			if _, err := search.Search(ctx, spec, search.Options{Budget: rlcore.Budget{Pulls: n}, Workers: n, NoStore: true, Executor: e, OnPull: func(search.PullEvent) {}}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			pulls := 0
			for range b.N {
				res, err := search.Search(ctx, spec, search.Options{Budget: rlcore.Budget{Pulls: 8}, Workers: n, NoStore: true, Executor: e, OnPull: func(search.PullEvent) {}})
				if err != nil || len(res.Pulls) != 8 {
					b.Fatalf("%v, %d pulls", err, len(res.Pulls))
				}
				pulls += len(res.Pulls)
			}
			b.ReportMetric(float64(pulls)/b.Elapsed().Seconds(), "pulls/s")
		})
	}
}
