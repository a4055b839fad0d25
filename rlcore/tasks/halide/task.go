package halide

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/hl"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

// TaskName is the registered name.
const TaskName = "halide"

// AutoSchedulers are the auto-scheduler plugins of Debian's Halide 14, by
// reference name.
var AutoSchedulers = map[string]string{
	"adams2019":     "Adams2019",
	"li2018":        "Li2018",
	"mullapudi2016": "Mullapudi2016",
}

// References are the reference compilations: the default schedule and
// Halide 14's three auto-schedulers, each given the machine parameters of
// option.machine.
var References = []rlcore.Reference{
	{Name: "default", Doc: "the default schedule: every stage compute_root, serial and scalar (quality 1 by definition)"},
	{Name: "adams2019", Doc: "Halide 14's Adams2019 auto-scheduler (beam search with a learned cost model; its weights ship inside the plugin)"},
	{Name: "li2018", Doc: "Halide 14's Li2018 auto-scheduler (the gradient auto-scheduler's greedy CPU schedule)"},
	{Name: "mullapudi2016", Doc: "Halide 14's Mullapudi2016 auto-scheduler (greedy grouping and tiling by an analytical cost model)"},
}

func init() {
	rlcore.RegisterTask(&rlcore.Task{
		Name: TaskName,
		Doc:  "Halide 14 image-pipeline schedules (10 pipelines, JIT-compiled and timed against the default schedule)",
		Options: []rlcore.Option{
			{Name: "runs", Type: rlcore.OptInt, Default: "5", Doc: "timed runs per measurement at least, each next to a run of the default schedule"},
			{Name: "min-time", Type: rlcore.OptDuration, Default: "100ms", Doc: "more timed runs, up to 10 × runs, until the timed runs (the default's included) took this long"},
			{Name: "warmup", Type: rlcore.OptInt, Default: "1", Doc: "untimed runs before timing (the first also checks the output)"},
			{Name: "run-timeout", Type: rlcore.OptDuration, Default: "10s", Doc: "a schedule whose first run takes longer fails its measurement (the default schedule, the yardstick, has none)"},
			{Name: "compile-timeout", Type: rlcore.OptDuration, Default: "60s", Doc: "time allowed to JIT-compile one schedule"},
			{Name: "autoschedule-timeout", Type: rlcore.OptDuration, Default: "5m", Doc: "time allowed to an auto-scheduler on one pipeline"},
			{Name: "tolerance", Type: rlcore.OptFloat, Default: "1e-3", Doc: "largest allowed |output - default output|, relative to the largest |default output|"},
			{Name: "workers", Type: rlcore.OptInt, Default: "2", Doc: "worker processes kept warm for compiling and timing"},
			{Name: "cores", Type: rlcore.OptInt, Default: "2", Doc: "cores the auto-schedulers are told about (MachineParams parallelism)"},
			{Name: "adams2019-beam", Type: rlcore.OptInt, Default: "32", Doc: "Adams2019's beam size (HL_BEAM_SIZE; the plugin's default is 32)"},
			{Name: "start", Type: rlcore.OptString, Default: "default", Doc: "the schedule every episode starts from: default (every stage compute_root, serial, scalar), fused (the auto-schedulers' pattern: the output tiled, vectorized and parallel, producers inlined or computed per tile, reductions at the root in parallel; the fuse-tiles action), root-parallel (every stage compute_root, vectorized and parallel; the root-parallel action), grouped (this task's greedy grouping: pointwise stages inlined, pyramid levels, gathers and reductions computed at the root, vectorized and parallel, stencil stages per tile of their group; the group-stages action), blocked (grouped, with the updates of reductions over x and y register-blocked as Adams2019 schedules a convolution; the register-block action), grouped-rows (grouped with every reduction read by each colour channel a group root, and the members computed per row of their group's root, as Mullapudi2016 places nl_means) or best (the fastest of default, fused, grouped, blocked and grouped-rows, the heuristic ones timed twice side by side when an episode first starts on a pipeline, once per process). Quality stays the speedup over the default schedule"},
			{Name: "adams2019-passes", Type: rlcore.OptInt, Default: "5", Doc: "Adams2019's beam-search passes (HL_NUM_PASSES; the plugin's default is 5)"},
		},
		References:       References,
		DefaultReference: "default",
		Measures: []rlcore.Measure{
			{Name: "time", Doc: "median run time of the current schedule in ms"},
			{Name: "speedup", Doc: "median CPU time of the (serial) default schedule / median wall time of the schedule, the two timed interleaved run by run (the quality)"},
		},
		Open: Open,
	})
}

// Problem is an opened halide task.
type Problem struct {
	pipelines map[string]*schedule.Pipeline
	names     []string
	start     string // option.start
	ms        *measurer
	closeOnce sync.Once
}

var (
	_ rlcore.Problem   = (*Problem)(nil)
	_ rlcore.Validator = (*Problem)(nil)
)

// Open opens the task: it lists the pipelines (Halide builds them in this
// process; nothing is compiled yet) and starts the worker pool.
func Open(ctx context.Context, cfg rlcore.OpenConfig) (rlcore.Problem, error) {
	o := cfg.Options
	mc := measureConfig{
		Warmup: o.Int("warmup"), Runs: o.Int("runs"), MinTime: o.Duration("min-time"),
		RunTimeout: o.Duration("run-timeout"), CompileTimeout: o.Duration("compile-timeout"),
		AutoScheduleTimeout: o.Duration("autoschedule-timeout"),
		Tolerance:           o.Float("tolerance"),
		Machine:             hl.MachineParams{Parallelism: o.Int("cores"), CacheBytes: hl.DefaultMachine.CacheBytes, Balance: hl.DefaultMachine.Balance},
		Workers:             o.Int("workers"),
		BeamSize:            o.Int("adams2019-beam"),
		Passes:              o.Int("adams2019-passes"),
	}
	switch {
	case mc.Runs < 1:
		return nil, fmt.Errorf("option runs = %d: want at least 1", mc.Runs)
	case mc.Warmup < 1:
		return nil, fmt.Errorf("option warmup = %d: want at least 1 (the first run checks the output)", mc.Warmup)
	case mc.MinTime < 0:
		return nil, fmt.Errorf("option min-time = %v: want ≥ 0", mc.MinTime)
	case mc.RunTimeout <= 0 || mc.CompileTimeout <= 0 || mc.AutoScheduleTimeout <= 0:
		return nil, fmt.Errorf("options run-timeout, compile-timeout and autoschedule-timeout must be positive")
	case mc.Tolerance < 0:
		return nil, fmt.Errorf("option tolerance = %g: want ≥ 0", mc.Tolerance)
	case mc.Workers < 1 || mc.Machine.Parallelism < 1 || mc.BeamSize < 1 || mc.Passes < 1:
		return nil, fmt.Errorf("options workers, cores, adams2019-beam and adams2019-passes must be at least 1")
	}
	start := o.String("start")
	if _, ok := starts[start]; !ok {
		return nil, fmt.Errorf("option start = %q: want one of default, fused, root-parallel, grouped, blocked, grouped-rows, best", start)
	}
	ps, err := hl.Catalog()
	if err != nil {
		return nil, err
	}
	pool, err := isolate.NewPool(isolate.Config{Service: serviceName, Idle: mc.Workers})
	if err != nil {
		return nil, fmt.Errorf("halide: starting workers: %w", err)
	}
	p := &Problem{pipelines: map[string]*schedule.Pipeline{}, ms: &measurer{pool: pool, cfg: mc}, start: start}
	for _, pl := range ps {
		p.pipelines[pl.Name] = pl
		p.names = append(p.names, pl.Name)
	}
	return p, nil
}

// Task implements rlcore.Problem.
func (p *Problem) Task() string { return TaskName }

// Actions are the schedule edits of package schedule, the same for every
// pipeline: move the stage cursor, or set one directive of the cursor's
// stage.
func (p *Problem) Actions() []string {
	names := make([]string, len(schedule.Actions))
	for i, a := range schedule.Actions {
		names[i] = a.Name
	}
	return names
}

// Pipeline returns the named pipeline's description.
func (p *Problem) Pipeline(name string) (*schedule.Pipeline, error) {
	name = strings.TrimPrefix(name, "builtin:")
	pl, ok := p.pipelines[name]
	if !ok {
		return nil, fmt.Errorf("halide: no pipeline %q; the pipelines are %s (or builtin:* for all)", name, strings.Join(p.names, ", "))
	}
	return pl, nil
}

// Benchmarks resolves "builtin:*" (or "*") to every pipeline, and a
// pipeline's name (optionally "builtin:NAME") to itself.
func (p *Problem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "*" || spec == "builtin:*" {
		return append([]string(nil), p.names...), nil
	}
	pl, err := p.Pipeline(spec)
	if err != nil {
		return nil, err
	}
	return []string{pl.Name}, nil
}

// starts are the schedules option.start names.
var starts = map[string]func(*schedule.Pipeline) schedule.Schedule{
	"default":       schedule.Default,
	"fused":         schedule.Fused,
	"root-parallel": schedule.RootParallel,
	"grouped":       schedule.Grouped,
	"blocked":       schedule.Blocked,
	"grouped-rows":  schedule.GroupedRows,
	"best":          nil, // the fastest of default, fused, grouped, blocked and grouped-rows, measured (see NewEpisode)
}

// bestOf are the heuristic schedules option.start=best measures (each
// only where it differs from the ones before).
var bestOf = []string{"fused", "grouped", "blocked", "grouped-rows"}

// Start is the schedule episodes start from (option.start).
func (p *Problem) Start() string { return p.start }

// NewEpisode starts on the schedule of option.start (the default
// schedule unless set; a start schedule whose measurement fails falls
// back to the default, with a warning) with the cursor on the output
// stage.
func (p *Problem) NewEpisode(ctx context.Context, benchmark string) (rlcore.Episode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pl, err := p.Pipeline(benchmark)
	if err != nil {
		return nil, err
	}
	s, cur := schedule.Default(pl), Measurement{Speedup: 1}
	var ms []Measurement
	var ts []schedule.Schedule
	switch p.start {
	case "default":
	case "best":
		if ts, ms, err = p.settleStarts(ctx, pl); err != nil {
			return nil, err
		}
	default:
		t := starts[p.start](pl)
		m, err := p.Measure(ctx, t)
		if err != nil {
			return nil, err
		}
		ts, ms = []schedule.Schedule{t}, []Measurement{m}
	}
	for i, t := range ts {
		switch m := ms[i]; {
		case m.Err != "":
			slog.Warn("halide: a start schedule failed; it is not started from", "schedule", t.String(), "reason", m.Err)
		case m.Speedup > cur.Speedup || s.IsDefault() && p.start != "best":
			s, cur = t, m
		}
	}
	return &Episode{p: p, pipe: pl, sched: s, cursor: len(s.Stages) - 1, cur: cur, best: cur.Speedup}, nil
}

// settled are the start=best measurements per pipeline and measurement
// configuration, taken once per process.
var settled = struct {
	sync.Mutex
	m map[string][]Measurement
}{m: map[string][]Measurement{}}

// settleStarts measures the bestOf schedules of pl side by side, 1 +
// confirmRounds times each, interleaved, and remembers each's median
// measurement (so the search sees those figures), once per process: the
// start chosen on one measurement each was often the slower one (under
// load, interpolate and nl_means started from the schedule measured at
// 3x while the other had measured 20x). NewEpisode starts from the
// default schedule when neither beats it.
func (p *Problem) settleStarts(ctx context.Context, pl *schedule.Pipeline) ([]schedule.Schedule, []Measurement, error) {
	var ts []schedule.Schedule
	var reqs []hl.Request
	for _, name := range bestOf {
		t := starts[name](pl)
		if slices.ContainsFunc(ts, func(u schedule.Schedule) bool { return u.String() == t.String() }) {
			continue
		}
		ts = append(ts, t)
		reqs = append(reqs, hl.Request{Pipeline: pl.Name, Directives: t.Directives()})
	}
	defer p.ms.lockPipeline(pl.Name)()
	key := p.ms.incumbentKey(pl.Name)
	settled.Lock()
	ms, ok := settled.m[key]
	settled.Unlock()
	if ok {
		return ts, ms, nil
	}
	ms, err := p.ms.settle(ctx, reqs, nil, 1+confirmRounds)
	if err != nil {
		return nil, nil, err
	}
	for i, m := range ms {
		p.ms.remember(reqs[i], m)
		if m.Err == "" {
			p.ms.offer(reqs[i], m.Speedup)
		}
	}
	settled.Lock()
	settled.m[key] = ms
	settled.Unlock()
	return ts, ms, nil
}

// Close stops the workers.
func (p *Problem) Close() error {
	p.closeOnce.Do(func() { p.ms.pool.Close() })
	return nil
}

// Measure compiles and times s (memoized per process). The default
// schedule is asked for as such (no directives): the worker times its
// reference against itself, with no run time-out.
func (p *Problem) Measure(ctx context.Context, s schedule.Schedule) (Measurement, error) {
	if s.IsDefault() {
		return p.ms.measure(ctx, hl.Request{Pipeline: s.Pipeline.Name})
	}
	return p.ms.measure(ctx, hl.Request{Pipeline: s.Pipeline.Name, Directives: s.Directives()})
}

// Contender is what Retime times: a schedule, or (when AutoScheduler,
// a reference name such as "mullapudi2016", is set) an auto-scheduler's
// schedule.
type Contender struct {
	Schedule      schedule.Schedule
	AutoScheduler string
}

// Retime times contenders of one pipeline afresh, bypassing the memo (and
// not recording in it), side by side: rounds rounds, in each every
// contender once (the order reversed every other round), and returns each
// one's median measurement. A search keeps the best of many noisy
// measurements, whose own figure is biased upwards by the choosing, so a
// comparison re-times its winner on the same terms, at the same moments,
// as whatever it is compared with.
func (p *Problem) Retime(ctx context.Context, pipeline string, rounds int, cs ...Contender) ([]Measurement, error) {
	pl, err := p.Pipeline(pipeline)
	if err != nil {
		return nil, err
	}
	if rounds < 1 {
		return nil, fmt.Errorf("halide: retime %d rounds: want at least 1", rounds)
	}
	reqs := make([]hl.Request, len(cs))
	for i, c := range cs {
		reqs[i] = hl.Request{Pipeline: pl.Name}
		switch {
		case c.AutoScheduler != "":
			as, ok := AutoSchedulers[c.AutoScheduler]
			if !ok {
				return nil, fmt.Errorf("halide: no auto-scheduler %q; there are adams2019, li2018, mullapudi2016", c.AutoScheduler)
			}
			reqs[i].AutoScheduler = as
		case c.Schedule.Pipeline == nil || c.Schedule.Pipeline.Name != pl.Name:
			// by name: the benchmark's starts each open a Problem, whose
			// pipelines are equal copies of the one catalog
			return nil, fmt.Errorf("halide: retime %s: contender %d is not a schedule of it", pl.Name, i)
		case !c.Schedule.IsDefault():
			reqs[i].Directives = c.Schedule.Directives()
		}
	}
	ms, err := p.ms.settle(ctx, reqs, nil, rounds)
	if err != nil {
		return nil, err
	}
	for i, c := range cs {
		if c.AutoScheduler != "" {
			ms[i].Params = p.AutoSchedulerParams(c.AutoScheduler)
		}
	}
	return ms, nil
}

// defaultTiming times the default schedule of a pipeline.
func (p *Problem) defaultTiming(ctx context.Context, pl *schedule.Pipeline) (Measurement, error) {
	m, err := p.Measure(ctx, schedule.Default(pl))
	if err == nil && m.Err != "" {
		err = fmt.Errorf("halide: the default schedule of %s failed: %s", pl.Name, m.Err)
	}
	return m, err
}

// AutoSchedule runs the named auto-scheduler ("adams2019", "li2018",
// "mullapudi2016") on the pipeline and times its schedule; the
// measurement's Source is the schedule as Halide C++.
func (p *Problem) AutoSchedule(ctx context.Context, pipeline, name string) (Measurement, error) {
	as, ok := AutoSchedulers[name]
	if !ok {
		return Measurement{}, fmt.Errorf("halide: no auto-scheduler %q; there are adams2019, li2018, mullapudi2016", name)
	}
	pl, err := p.Pipeline(pipeline)
	if err != nil {
		return Measurement{}, err
	}
	m, err := p.ms.measure(ctx, hl.Request{Pipeline: pl.Name, AutoScheduler: as})
	m.Params = p.AutoSchedulerParams(name)
	return m, err
}

// AutoSchedulerParams says how the named auto-scheduler is called.
func (p *Problem) AutoSchedulerParams(name string) string {
	c := p.ms.cfg
	s := fmt.Sprintf("Pipeline::auto_schedule(%q, host JIT target, MachineParams(%d, %d, %g))", AutoSchedulers[name], c.Machine.Parallelism, c.Machine.CacheBytes, c.Machine.Balance)
	if name == "adams2019" {
		s += fmt.Sprintf(" with HL_BEAM_SIZE=%d HL_NUM_PASSES=%d and the weights built into the plugin", c.BeamSize, c.Passes)
	}
	return s
}

// ScheduleOf replays actions in a fresh episode of benchmark (edits whose
// measurement failed are undone as they were; measurements are memoized,
// so a replay of a search's sequence costs nothing new) and returns the
// schedule reached with its measurement.
func (p *Problem) ScheduleOf(ctx context.Context, benchmark string, actions []int) (schedule.Schedule, Measurement, error) {
	ep, err := p.NewEpisode(ctx, benchmark)
	if err != nil {
		return schedule.Schedule{}, Measurement{}, err
	}
	defer ep.Close()
	for i, a := range actions {
		if err := ep.Apply(ctx, a); err != nil {
			return schedule.Schedule{}, Measurement{}, fmt.Errorf("halide: replaying action %d of %d: %w", i+1, len(actions), err)
		}
	}
	e := ep.(*Episode)
	if e.sched.IsDefault() {
		m, err := p.defaultTiming(ctx, e.pipe)
		m.Speedup = 1
		return e.Schedule(), m, err
	}
	return e.Schedule(), e.cur, nil
}

// ValidateActions replays actions in a fresh episode (so failed edits are
// undone as they were) and checks that the schedule reached compiled, ran
// within the time-outs and matched the default schedule's output (every
// schedule an episode keeps passed that check when it was measured).
func (p *Problem) ValidateActions(ctx context.Context, benchmark string, actions []int) error {
	s, m, err := p.ScheduleOf(ctx, benchmark, actions)
	if err != nil {
		return err
	}
	if m.Err != "" {
		return fmt.Errorf("halide: schedule %s: %s", s, m.Err)
	}
	return nil
}
