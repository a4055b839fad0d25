package halide_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

// fast are options that keep the tests' measurements short.
var fast = map[string]string{"runs": "3", "min-time": "0"}

func TestConformance(t *testing.T) {
	tasktest.Run(t, tasktest.Config{Task: halide.TaskName, Options: fast, Benchmarks: []string{"conv_layer", "max_filter"}, Steps: 5})
}

// open opens the task with the fast options and the given ones (which
// win); it is closed at the end of the test.
func open(t *testing.T, options map[string]string) *halide.Problem {
	t.Helper()
	opts := maps.Clone(fast)
	maps.Copy(opts, options)
	p, err := rlcore.OpenTask(context.Background(), halide.TaskName, opts, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p.(*halide.Problem)
}

// episode starts an episode of p on bench.
func episode(t *testing.T, p *halide.Problem, bench string) *halide.Episode {
	t.Helper()
	ep, err := p.NewEpisode(context.Background(), bench)
	if err != nil {
		t.Fatal(err)
	}
	return ep.(*halide.Episode)
}

func action(t *testing.T, name string) int {
	for i, a := range schedule.Actions {
		if a.Name == name {
			return i
		}
	}
	t.Fatalf("no action %s", name)
	return -1
}

func TestEditsAreMeasuredAndBadOnesUndone(t *testing.T) {
	ctx := context.Background()
	e := episode(t, open(t, nil), "builtin:conv_layer")
	// the output (relu) vectorized and parallel: a valid schedule
	for _, a := range []string{"vectorize=8", "parallel"} {
		if err := e.Apply(ctx, action(t, a)); err != nil {
			t.Fatal(err)
		}
	}
	if e.Failures != 0 || e.Schedule().String() != "conv_layer: relu=root,vec8,par" {
		t.Fatalf("schedule %s, failures %d: %s", e.Schedule(), e.Failures, e.LastFailure)
	}
	q, _ := e.Quality(ctx)
	if m := e.Current(); q <= 0 || m.Runs != 3 || m.TimeMs <= 0 || m.DefaultMs <= 0 {
		t.Fatalf("quality %v, measurement %+v", q, m)
	}
	// conv computed at relu's x loop while relu runs x outside y across a
	// parallel loop, storing conv at the root: Halide rejects the race
	for _, a := range []string{"prev-stage", "compute-tiles", "store-root"} {
		if err := e.Apply(ctx, action(t, a)); err != nil {
			t.Fatal(err)
		}
	}
	if e.Failures != 1 || !strings.Contains(e.LastFailure, "race") || e.Schedule().String() != "conv_layer: conv=tiles relu=root,vec8,par" {
		t.Fatalf("schedule %s, failures %d: %s", e.Schedule(), e.Failures, e.LastFailure)
	}
}

func TestAutoSchedulerSource(t *testing.T) {
	p := open(t, nil)
	m, err := p.AutoSchedule(context.Background(), "conv_layer", "mullapudi2016")
	if err != nil || m.Err != "" {
		t.Fatalf("%v %s", err, m.Err)
	}
	if !strings.Contains(m.Source, "relu") || m.Speedup <= 0 {
		t.Errorf("measurement %+v", m)
	}
	if _, err := p.AutoSchedule(context.Background(), "conv_layer", "nosuch"); err == nil || !strings.Contains(err.Error(), "adams2019") {
		t.Errorf("err = %v", err)
	}
}

// The default schedule is the yardstick: it is timed however long it
// takes, while a candidate slower than the run time-out fails.
func TestRunTimeoutSparesTheDefault(t *testing.T) {
	ctx := context.Background()
	hp := open(t, map[string]string{"runs": "1", "run-timeout": "1ns"})
	pl, err := hp.Pipeline("conv_layer")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := hp.Measure(ctx, schedule.Default(pl)); err != nil || m.Err != "" || m.DefaultMs <= 0 {
		t.Errorf("the default schedule: %v %q %+v", err, m.Err, m)
	}
	s, err := schedule.Parse(pl, "conv_layer: relu=root,vec8")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := hp.Measure(ctx, s); err != nil || !strings.Contains(m.Err, "time-out") {
		t.Errorf("a candidate over the run time-out: %v %q", err, m.Err)
	}
}

// option.start: episodes begin at the fused schedule, measured (its
// quality is its speedup over the default); an unknown start is refused
// with the allowed ones.
func TestStartOption(t *testing.T) {
	ctx := context.Background()
	p := open(t, map[string]string{"start": "fused"})
	e := episode(t, p, "conv_layer")
	if got := e.Schedule().String(); got != "conv_layer: conv=tiles,vec16 relu=root,tile(16x16),vec16,par" {
		t.Errorf("start schedule %s", got)
	}
	if m := e.Current(); m.Err != "" || m.Speedup <= 0 || m.DefaultMs <= 0 {
		t.Errorf("start measurement %+v", m)
	}
	// re-timed afresh (past the memo), it still runs and matches
	ms, err := p.Retime(ctx, "conv_layer", 2, halide.Contender{Schedule: e.Schedule()}, halide.Contender{AutoScheduler: "mullapudi2016"})
	if err != nil || len(ms) != 2 {
		t.Fatalf("retime: %v %+v", err, ms)
	}
	for i, m := range ms {
		if m.Err != "" || m.Speedup <= 0 || m.Runs != 3 {
			t.Errorf("retime contender %d: %+v", i, m)
		}
	}
	if !strings.Contains(ms[1].Params, "Mullapudi2016") {
		t.Errorf("retime of the auto-scheduler says nothing of how it was called: %q", ms[1].Params)
	}
	if _, err := p.Retime(ctx, "conv_layer", 1, halide.Contender{AutoScheduler: "nosuch"}); err == nil || !strings.Contains(err.Error(), "mullapudi2016") {
		t.Errorf("retime of an unknown auto-scheduler: %v", err)
	}
	// the replay of no actions is the start schedule, validated
	if err := p.ValidateActions(ctx, "conv_layer", nil); err != nil {
		t.Error(err)
	}
	_, err = rlcore.OpenTask(ctx, halide.TaskName, map[string]string{"start": "mullapudi"}, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "grouped") {
		t.Errorf("start mullapudi: err = %v", err)
	}
}

// option.start=grouped starts at schedule.Grouped, blocked at
// schedule.Blocked; best at the fastest of fused, grouped, blocked and
// grouped-rows, all measured twice side by side (and checked against the default's output,
// as every schedule is), or at the default when none beats it.
func TestGroupedAndBestStarts(t *testing.T) {
	ctx := context.Background()
	speedups := map[string]float64{}
	for _, start := range []string{"grouped", "blocked", "fused", "best"} {
		p := open(t, map[string]string{"start": start})
		e := episode(t, p, "conv_layer")
		got, m := e.Schedule().String(), e.Current()
		if m.Err != "" || m.Speedup <= 0 {
			t.Errorf("start %s: measurement %+v", start, m)
		}
		speedups[start] = m.Speedup
		switch start {
		case "grouped":
			if got != "conv_layer: conv=tiles,vec16,router relu=root,tile(16x16),vec16,par" {
				t.Errorf("start grouped: %s", got)
			}
		case "blocked":
			if got != "conv_layer: conv=tiles,tile(16x4),vec16,block,blockc2 relu=root,tile(16x16),vec16,par" {
				t.Errorf("start blocked: %s", got)
			}
		case "best":
			// best re-timed both side by side and remembered the medians:
			// it starts from the faster by those (or the default, 1x)
			pl, err := p.Pipeline("conv_layer")
			if err != nil {
				t.Fatal(err)
			}
			var settled []float64
			for _, s := range []schedule.Schedule{schedule.Fused(pl), schedule.Grouped(pl), schedule.Blocked(pl), schedule.GroupedRows(pl)} {
				sm, err := p.Measure(ctx, s)
				if err != nil || sm.Err != "" {
					t.Fatalf("%s: %v %+v", s, err, sm)
				}
				settled = append(settled, sm.Speedup)
			}
			if want := max(slices.Max(settled), 1); m.Speedup != want {
				t.Errorf("start best: %s at %.2fx, want the fastest start's %.2fx (fused, grouped, blocked, grouped-rows: %v)", got, m.Speedup, want, settled)
			}
		}
		p.Close() // its workers end before the next start's (open closes it again at the end)
	}
}
