package halide_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/baselines"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

var (
	benchBudget    = flag.Duration("halide.budget", time.Minute, "search budget per pipeline of BenchmarkSearchVsAutoSchedulers")
	benchPipelines = flag.String("halide.pipelines", "builtin:*", "comma-separated pipelines of BenchmarkSearchVsAutoSchedulers")
	benchSearch    = flag.String("halide.search", "anneal", "the rlcore algorithm that searches the schedules")
	benchHorizon   = flag.Int("halide.horizon", 40, "episode length (actions) of the search")
	benchBeam      = flag.String("halide.beam", "32", "Adams2019's beam size (its default 32)")
	benchPasses    = flag.String("halide.passes", "5", "Adams2019's passes (its default 5)")
	benchStarts    = flag.String("halide.start", "default,fused", "comma-separated option.start values: the search runs from each, side by side")
	benchRounds    = flag.Int("halide.rounds", 3, "rounds of the side-by-side re-timing of the best found and the auto-schedulers after the search (the median of each is reported)")
)

// BenchmarkSearchVsAutoSchedulers searches each pipeline's schedules for
// -halide.budget with -halide.search, once from each -halide.start
// (option.start: the default schedule, the fused one), and then measures,
// in the same run, the best schedule found from each start and every
// auto-scheduler's schedule, each timed interleaved with the default
// schedule. It reports per pipeline and start the best found's speedup
// over the default and its ratio to the best auto-scheduler (speedup /
// best auto-scheduler speedup; the best found and the auto-schedulers
// re-timed side by side after the search, -halide.rounds rounds
// interleaved, the median of each), and the geomeans of both per start
// (metrics named after the start). -halide.pipelines picks pipelines:
//
//	go test ./rlcore/tasks/halide -run '^$' -bench SearchVsAuto -benchtime 1x -halide.budget 5m
func BenchmarkSearchVsAutoSchedulers(b *testing.B) {
	ctx := context.Background()
	starts := rlcore.SplitList(*benchStarts)
	for range b.N {
		var probs []*halide.Problem
		for _, start := range starts {
			prob, err := rlcore.OpenTask(ctx, halide.TaskName, map[string]string{"runs": "7", "adams2019-beam": *benchBeam, "adams2019-passes": *benchPasses, "start": start}, 1, nil)
			if err != nil {
				b.Fatal(err)
			}
			probs = append(probs, prob.(*halide.Problem))
		}
		p := probs[0]
		var names []string
		for _, spec := range rlcore.SplitList(*benchPipelines) {
			n, err := p.Benchmarks(ctx, spec)
			if err != nil {
				b.Fatal(err)
			}
			names = append(names, n...)
		}
		// Rows go to stdout as each pipeline finishes: the run is long, and
		// b.Logf's output of a benchmark is cut after ten lines.
		fmt.Printf("search %s, %v per pipeline and start, starts %s, %d pipelines, Adams2019 beam %s passes %s; speedups over the default schedule (median CPU time of the serial default / median wall time, timed interleaved):\n",
			*benchSearch, *benchBudget, strings.Join(starts, " and "), len(names), *benchBeam, *benchPasses)
		logSpeedup, logRatio := make([]float64, len(starts)), make([]float64, len(starts))
		for _, name := range names {
			var bests []found
			for _, sp := range probs {
				best, err := searchBest(ctx, sp, name)
				if err != nil {
					b.Fatalf("%s from %s: %v", name, sp.Start(), err)
				}
				bests = append(bests, best)
			}
			// every auto-scheduler once (compiled, and failures said), then
			// the best found from each start and the auto-schedulers that
			// ran re-timed side by side, -halide.rounds rounds
			var cs []halide.Contender
			for _, best := range bests {
				cs = append(cs, halide.Contender{Schedule: best.Schedule})
			}
			row := name
			for _, ref := range []string{"adams2019", "li2018", "mullapudi2016"} {
				m, err := p.AutoSchedule(ctx, name, ref)
				switch {
				case err != nil:
					b.Fatal(err)
				case m.Err != "":
					row += fmt.Sprintf(" | %s failed: %.80s", ref, m.Err)
				default:
					cs = append(cs, halide.Contender{AutoScheduler: ref})
				}
			}
			ms, err := p.Retime(ctx, name, *benchRounds, cs...)
			if err != nil {
				b.Fatal(err)
			}
			bestAuto, bestAutoName := 0.0, "none"
			for i, c := range cs[len(bests):] {
				m := ms[len(bests)+i]
				if m.Err != "" {
					row += fmt.Sprintf(" | %s failed re-timed: %.80s", c.AutoScheduler, m.Err)
					continue
				}
				row += fmt.Sprintf(" | %s %5.2fx", c.AutoScheduler, m.Speedup)
				if m.Speedup > bestAuto {
					bestAuto, bestAutoName = m.Speedup, c.AutoScheduler
				}
			}
			fmt.Printf("%s | load %s\n", row, loadAverage())
			for i, best := range bests {
				m := ms[i]
				if m.Err != "" {
					b.Fatalf("%s from %s: re-timing %s: %s", name, starts[i], best.Schedule, m.Err)
				}
				ratio := math.NaN()
				if bestAuto > 0 {
					ratio = m.Speedup / bestAuto
					logRatio[i] += math.Log(ratio)
				}
				logSpeedup[i] += math.Log(m.Speedup)
				fmt.Printf("    from %-8s best found %6.2fx re-timed (%.2fx when the search chose it), ratio to %s %.2f (%s)\n", starts[i], m.Speedup, best.Searched, bestAutoName, ratio, best.Schedule)
			}
		}
		n := float64(len(names))
		for i, start := range starts {
			b.ReportMetric(math.Exp(logSpeedup[i]/n), "geomean-speedup-from-"+start)
			b.ReportMetric(math.Exp(logRatio[i]/n), "geomean-ratio-to-best-autoscheduler-from-"+start)
			fmt.Printf("from %s: geomean speedup %.2fx, geomean ratio to the best auto-scheduler %.2f\n", start, math.Exp(logSpeedup[i]/n), math.Exp(logRatio[i]/n))
		}
		for _, sp := range probs {
			sp.Close()
		}
	}
}

type found struct {
	Schedule schedule.Schedule
	// Searched is the figure the search chose it on (the median of three
	// measurements when it was a new best, see the measurement doc).
	Searched float64
}

// searchBest runs the search algorithm on one pipeline and returns the
// best schedule it reached.
func searchBest(ctx context.Context, p *halide.Problem, bench string) (found, error) {
	algo, err := rlcore.LookupAlgorithm(*benchSearch)
	if err != nil {
		return found{}, err
	}
	hyper, err := algo.Resolve(rlcore.Hyper{"horizon": float64(*benchHorizon)})
	if err != nil {
		hyper, err = algo.Resolve(nil)
		if err != nil {
			return found{}, err
		}
	}
	env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "halide-schedule", Reward: "halide-log-speedup", Actions: "all", Transition: "apply", Algorithm: algo.Name}, Horizon: *benchHorizon})
	if err != nil {
		return found{}, err
	}
	defer env.Close()
	res, err := algo.Train(ctx, env, rlcore.TrainConfig{Hyper: hyper, Budget: rlcore.Budget{Duration: *benchBudget}, Seed: 1, Benchmarks: []string{bench}})
	if err != nil {
		return found{}, err
	}
	s, m, err := p.ScheduleOf(ctx, bench, res.Best.Actions)
	if err != nil {
		return found{}, err
	}
	return found{Schedule: s, Searched: m.Speedup}, nil
}

// loadAverage is the machine's 1-minute load average (from /proc/loadavg),
// printed next to every row: speedups measured on a loaded machine are
// noisier, and parallel schedules' are inflated by it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
