// Package tensor registers the "tensor" task with rlcore: schedules of
// float32 neural-network operators (case study 2 of the SuperSonic paper,
// the TVM case), compiled with clang-19 and timed on this machine.
//
// A benchmark is an operator with the shapes of a named layer of a real
// network (see kernel.Ops: GEMM 512³, BERT-base's attention-output dense
// layer, batched Q·Kᵀ and softmax, ResNet-18's layer1 conv2d, a
// MobileNetV2 depthwise conv2d). An episode starts from the naive loop nest
// (the default schedule); every action moves one knob of the operator's
// AutoTVM-style schedule space one step ("s1.inner+", "par−", …; knobs an
// operator does not have, and steps past a knob's last valid value, leave
// the schedule as it is). After every action the new schedule's C is
// generated, compiled once (cached by content hash), run in a
// crash-isolating worker process and timed.
//
// Measurement. Every candidate is timed interleaved with a yardstick, the
// operator's hand-blocked reference schedule on one thread (see Yardstick;
// ABBA order, warm-up, at
// least Reps rounds, the yardstick run about as long as the candidate in
// each round; the ratio is that of the fastest run of each, see
// measure.Result.Ratio), and its first output is
// checked against the yardstick's (measure.Tolerance). Once per problem
// and operator the naive default is timed the same way against the
// yardstick — which checks the yardstick against the naive kernel. The
// speedup of a schedule over the default is then
// ratio(default)/ratio(schedule): both ratios are taken under the same
// load, so they hold on a busy machine where absolute times do not.
// Results are cached per schedule for the whole process (for every problem
// with the same seed and timing options), so an episode's quality is a
// function of its actions (replay reproduces it exactly).
//
// Besides the generic algorithms the package registers two schedule-space
// tuners, CostModel ("costmodel", AutoTVM's learned tuner) and Grid, and a
// model-based client RL, ModelPPO ("model-ppo"), whose knob steps are
// scored by the cost model so that only the schedules it ranks first are
// measured. These three count one step per schedule measured; an
// algorithm that steps the task's environment counts every knob step
// (a schedule measured before is not measured again).
//
// Quality is the speedup over the default schedule (1 = naive loop nest).
// References: "default" (quality 1) and "reference" (the hand-blocked
// schedule).
package tensor

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/kernel"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/tensor/measure"
)

// TaskName is the registered name.
const TaskName = "tensor"

// Options configure a problem.
type Options struct {
	Seed int64
	// Reps is the least number of interleaved timing pairs per schedule;
	// more are run until the candidate ran MinTime in total (at most 50 pairs
	// and about MaxTime).
	Reps    int
	MinTime time.Duration
	MaxTime time.Duration
	Warmup  int
	// RunTimeout bounds one measurement in the worker; CompileTimeout one
	// clang run.
	RunTimeout, CompileTimeout time.Duration
	// CacheDir holds compiled schedules ("" = the user cache directory).
	CacheDir string
}

// DefaultOptions are used for options not given.
var DefaultOptions = Options{Seed: 1, Reps: 5, MinTime: 20 * time.Millisecond, MaxTime: time.Second, Warmup: 1,
	RunTimeout: 2 * time.Minute, CompileTimeout: measure.DefaultCompileTimeout}

// options are the task's options (rlcore.Task.Options).
var options = []rlcore.Option{
	{Name: "reps", Type: rlcore.OptInt, Default: "5", Doc: "least interleaved timing pairs per schedule, 1..1000"},
	{Name: "min-time", Type: rlcore.OptDuration, Default: "20ms", Doc: "run more pairs until the candidate ran this long in total"},
	{Name: "warmup", Type: rlcore.OptInt, Default: "1", Doc: "untimed runs of each kernel before timing, 0..100"},
	{Name: "run-timeout", Type: rlcore.OptDuration, Default: "2m", Doc: "time limit of one measurement in the worker"},
	{Name: "compile-timeout", Type: rlcore.OptDuration, Default: measure.DefaultCompileTimeout.String(), Doc: "time limit of one clang-19 compile"},
	{Name: "cache", Type: rlcore.OptString, Doc: "directory of compiled schedules (default: the user cache directory)"},
}

// references are the task's reference schedules (rlcore.Task.References).
var references = []rlcore.Reference{
	{Name: "default", Doc: "the operator's naive loop nest (quality 1)"},
	{Name: "reference", Doc: "the hand-blocked schedule of the operator"},
}

// optionsOf reads the validated options of cfg and checks their ranges;
// the run's seed seeds the operators' input data.
func optionsOf(cfg rlcore.OpenConfig) (Options, error) {
	v := cfg.Options
	o := DefaultOptions
	o.Seed, o.Reps, o.MinTime, o.Warmup = cfg.Seed, v.Int("reps"), v.Duration("min-time"), v.Int("warmup")
	o.RunTimeout, o.CompileTimeout, o.CacheDir = v.Duration("run-timeout"), v.Duration("compile-timeout"), v.String("cache")
	switch {
	case o.Reps < 1 || o.Reps > 1000:
		return o, fmt.Errorf("tensor: option reps = %d: want 1..1000", o.Reps)
	case o.Warmup < 0 || o.Warmup > 100:
		return o, fmt.Errorf("tensor: option warmup = %d: want 0..100", o.Warmup)
	}
	return o, nil
}

// Actions are "knob+" and "knob-" for every knob name of kernel.KnobNames.
var actions = func() []string {
	var a []string
	for _, k := range kernel.KnobNames {
		a = append(a, k+"+", k+"-")
	}
	return a
}()

// Problem is an opened tensor task. It is safe for concurrent use:
// compiles run in parallel, timing runs one at a time (they would disturb
// each other on a small machine).
type Problem struct {
	opts     Options
	log      *slog.Logger
	compiler *measure.Compiler
	pool     *isolate.Pool
	runMu    sync.Mutex // one timing run at a time

	mu  sync.Mutex
	ops map[string]*opState

	statsMu  sync.Mutex
	measured int
	measTime time.Duration
}

// opState is what episodes of one operator share.
type opState struct {
	op    *kernel.Op
	space *kernel.Space

	prepMu   sync.Mutex
	prepared bool
	initErr  error
	yard     measure.Artifact // the yardstick (see Yardstick)
	refTime  float64          // seconds, the yardstick's fastest run against itself
	defRatio float64          // t(default) / t(yardstick)

	mu      sync.Mutex
	results map[uint64]*Result
}

// Result is one schedule's measurement.
type Result struct {
	done     chan struct{}
	Schedule kernel.Schedule
	// Ratio is t(schedule)/t(yardstick), from the fastest of interleaved
	// runs of each (measure.Result.Ratio); Speedup = ratio(default)/Ratio.
	Ratio, Speedup float64
	// Seconds estimates the schedule's undisturbed time: Ratio × the
	// yardstick's fastest run when the operator was first used.
	Seconds float64
	// Spread is (p90 − p10)/median of the schedule's own runs.
	Spread      float64
	Runs        int
	MaxErr      float64
	CompileTime time.Duration
	Err         error
	cancelled   bool
}

// GFLOPS is the schedule's estimated throughput.
func (r *Result) GFLOPS() float64 { return r.Schedule.Space.Op.FLOPs() / r.Seconds / 1e9 }

// Open opens the task (registered as Task.Open).
func Open(ctx context.Context, cfg rlcore.OpenConfig) (rlcore.Problem, error) {
	o, err := optionsOf(cfg)
	if err != nil {
		return nil, err
	}
	return NewProblem(ctx, o)
}

// NewProblem opens the task with o: checks clang-19 and starts the
// measurement worker.
func NewProblem(_ context.Context, o Options) (*Problem, error) {
	c, err := measure.NewCompiler(o.CacheDir)
	if err != nil {
		return nil, err
	}
	c.Timeout = o.CompileTimeout
	pool, err := isolate.NewPool(isolate.Config{Service: serviceName, Idle: 1, Warm: 1, CallTimeout: o.RunTimeout})
	if err != nil {
		return nil, fmt.Errorf("tensor: measurement worker: %w", err)
	}
	return &Problem{opts: o, log: slog.Default(), compiler: c, pool: pool, ops: map[string]*opState{}}, nil
}

func (p *Problem) Task() string      { return TaskName }
func (p *Problem) Actions() []string { return slices.Clone(actions) }

// Close stops the measurement worker.
func (p *Problem) Close() error { return p.pool.Close() }

// Options returns the problem's options.
func (p *Problem) Options() Options { return p.opts }

// Compiler returns the problem's compile cache.
func (p *Problem) Compiler() *measure.Compiler { return p.compiler }

// Benchmarks resolves "ops:*" (every operator), an operator name, or
// "ops:NAME"; a comma-separated list of those is accepted too.
func (p *Problem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "ops:")
		if part == "*" {
			for _, op := range kernel.Ops() {
				out = append(out, op.Name)
			}
			continue
		}
		if _, err := kernel.Lookup(part); err != nil {
			return nil, fmt.Errorf("tensor benchmark %q: %w (or ops:* for all)", part, err)
		}
		out = append(out, part)
	}
	return out, nil
}

// Space returns the schedule space of an operator.
func (p *Problem) Space(benchmark string) (*kernel.Space, error) {
	st, err := p.opState(benchmark)
	if err != nil {
		return nil, err
	}
	return st.space, nil
}

// measured holds the operators' measurements for the whole process, by
// operator and the options that affect timing: a measurement is a fact
// about this machine, so problems opened with the same seed and timing
// options share it (and agree on every quality) instead of drawing new
// timing noise.
var measured = struct {
	sync.Mutex
	m map[string]*opState
}{m: map[string]*opState{}}

func (p *Problem) opState(name string) (*opState, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.ops[name]; ok {
		return st, nil
	}
	op, err := kernel.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("tensor: %w", err)
	}
	o := p.opts
	key := fmt.Sprintf("%s|%d|%d|%v|%v|%d", name, o.Seed, o.Reps, o.MinTime, o.MaxTime, o.Warmup)
	measured.Lock()
	st, ok := measured.m[key]
	if !ok {
		st = &opState{op: op, space: kernel.NewSpace(op), results: map[uint64]*Result{}}
		measured.m[key] = st
	}
	measured.Unlock()
	p.ops[name] = st
	return st, nil
}

// prepare compiles the yardstick and times the default against it, once
// per operator. A failure is kept: every later episode of the operator
// reports it.
func (p *Problem) prepare(ctx context.Context, st *opState) error {
	st.prepMu.Lock()
	defer st.prepMu.Unlock()
	if st.prepared {
		return st.initErr
	}
	err := p.prepareOnce(ctx, st)
	if err != nil && ctx.Err() != nil {
		return err // cancelled: the next caller tries again
	}
	st.prepared, st.initErr = true, err
	return err
}

func (p *Problem) prepareOnce(ctx context.Context, st *opState) error {
	yard, err := Yardstick(st.space)
	if err != nil {
		return err
	}
	if st.yard, err = p.compiler.Compile(ctx, yard.C()); err != nil {
		return fmt.Errorf("tensor %s: yardstick schedule: %w", st.op.Name, err)
	}
	self, err := p.run(ctx, st, st.yard.Path, p.opts.Reps)
	if err != nil {
		return fmt.Errorf("tensor %s: timing the yardstick schedule: %w", st.op.Name, err)
	}
	st.refTime = self.Summary().YardstickMin
	def, err := p.compiler.Compile(ctx, st.space.Default().C())
	if err != nil {
		return fmt.Errorf("tensor %s: default schedule: %w", st.op.Name, err)
	}
	// The naive kernel is slow: three pairs, no warm-up beyond the check
	// run, whatever MaxTime says. Its output checks the reference's.
	resp, err := p.runN(ctx, st, def.Path, 3, 0, 0)
	if err != nil {
		return fmt.Errorf("tensor %s: timing the default schedule against the reference: %w", st.op.Name, err)
	}
	st.defRatio = resp.Summary().Ratio
	return nil
}

func (p *Problem) run(ctx context.Context, st *opState, cand string, reps int) (*measure.Response, error) {
	return p.runN(ctx, st, cand, reps, p.opts.Warmup, p.opts.MaxTime)
}

func (p *Problem) runN(ctx context.Context, st *opState, cand string, reps, warmup int, maxTime time.Duration) (*measure.Response, error) {
	req := &measure.Request{Op: st.op.Name, Candidate: cand, Yardstick: st.yard.Path, Warmup: warmup, Reps: reps, MaxReps: max(50, reps),
		MinTime: p.opts.MinTime, MaxTime: maxTime, Seed: uint64(p.opts.Seed)}
	p.runMu.Lock()
	defer p.runMu.Unlock()
	start := time.Now()
	resp, err := isolate.CallGob[measure.Response](ctx, p.pool, "measure", req)
	p.statsMu.Lock()
	p.measured++
	p.measTime += time.Since(start)
	p.statsMu.Unlock()
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Measure returns the (cached) measurement of schedule s.
func (p *Problem) Measure(ctx context.Context, s kernel.Schedule) (*Result, error) {
	st, err := p.opState(s.Space.Op.Name)
	if err != nil {
		return nil, err
	}
	if st.space != s.Space {
		// a schedule built on another Space value of the same operator
		if s, err = st.space.Parse(knobMap(s)); err != nil {
			return nil, err
		}
	}
	if err := p.prepare(ctx, st); err != nil {
		return nil, err
	}
	h := s.Hash()
	st.mu.Lock()
	r, ok := st.results[h]
	if ok {
		st.mu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.cancelled && ctx.Err() == nil {
			return p.Measure(ctx, s) // measured again below
		}
		return r, r.Err
	}
	r = &Result{done: make(chan struct{}), Schedule: s.Clone()}
	st.results[h] = r
	st.mu.Unlock()
	p.measureInto(ctx, st, r)
	if r.Err != nil && ctx.Err() != nil {
		// a cancelled measurement is not a verdict on the schedule
		r.cancelled = true
		st.mu.Lock()
		if st.results[h] == r {
			delete(st.results, h)
		}
		st.mu.Unlock()
	}
	close(r.done)
	return r, r.Err
}

func (p *Problem) measureInto(ctx context.Context, st *opState, r *Result) {
	if err := r.Schedule.Valid(); err != nil {
		r.Err = fmt.Errorf("tensor %s: invalid schedule %s: %w", st.op.Name, r.Schedule, err)
		return
	}
	if r.Schedule.Equal(st.space.Default()) {
		r.Ratio, r.Speedup, r.Seconds = st.defRatio, 1, st.defRatio*st.refTime
		return
	}
	art, err := p.compiler.Compile(ctx, r.Schedule.C())
	if err != nil {
		r.Err = fmt.Errorf("tensor %s: schedule %s: %w", st.op.Name, r.Schedule, err)
		return
	}
	r.CompileTime = art.CompileTime
	resp, err := p.run(ctx, st, art.Path, p.opts.Reps)
	if err != nil {
		r.Err = fmt.Errorf("tensor %s: schedule %s: %w", st.op.Name, r.Schedule, err)
		return
	}
	sum := resp.Summary()
	r.Ratio, r.Spread, r.Runs, r.MaxErr = sum.Ratio, sum.Spread, sum.Runs, sum.MaxErr
	r.Speedup = st.defRatio / sum.Ratio
	r.Seconds = sum.Ratio * st.refTime
}

// Stats reports how many timing runs the problem made and their total
// time, and the compile cache's counts.
type Stats struct {
	Measurements       int
	MeasureTime        time.Duration
	Compiles, CacheHit int
}

// Stats returns the problem's counts so far.
func (p *Problem) Stats() Stats {
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	c, h := p.compiler.Stats()
	return Stats{Measurements: p.measured, MeasureTime: p.measTime, Compiles: c, CacheHit: h}
}

// Reference returns the named reference schedule of an operator:
// "default" (the naive loop nest) or "reference" (hand-blocked).
func (p *Problem) Reference(benchmark, name string) (kernel.Schedule, error) {
	st, err := p.opState(benchmark)
	if err != nil {
		return kernel.Schedule{}, err
	}
	switch name {
	case "default":
		return st.space.Default(), nil
	case "reference":
		return st.space.Reference()
	}
	return kernel.Schedule{}, fmt.Errorf("tensor: unknown reference %q; known: default, reference", name)
}

func knobMap(s kernel.Schedule) map[string]int {
	m := map[string]int{}
	for i, k := range s.Space.Knobs {
		m[k.Name] = s.Values[i]
	}
	return m
}

// Yardstick is the schedule every measurement of the space's operator is
// timed against: the hand-blocked reference on one thread. A parallel
// yardstick would not do: on a loaded machine an OpenMP kernel waits for
// both of its threads to be scheduled at once, so its times inflate by a
// factor that serial candidates next to it do not share.
func Yardstick(sp *kernel.Space) (kernel.Schedule, error) {
	ref, err := sp.Reference()
	if err != nil {
		return ref, err
	}
	if _, ok := ref.Get("par"); ok {
		return ref.With("par", 0)
	}
	return ref, nil
}

// Peak measures the machine's peak float32 GFLOP/s once per process with
// measure.PeakC (run in the worker).
func (p *Problem) Peak(ctx context.Context) (measure.Peak, error) {
	peakMu.Lock()
	defer peakMu.Unlock()
	if peak != nil {
		return *peak, nil
	}
	art, err := p.compiler.Compile(ctx, measure.PeakC)
	if err != nil {
		return measure.Peak{}, err
	}
	p.runMu.Lock()
	defer p.runMu.Unlock()
	r, err := isolate.CallGob[measure.Peak](ctx, p.pool, "peak", &peakRequest{Path: art.Path, Runs: 30})
	if err != nil {
		return measure.Peak{}, fmt.Errorf("tensor: peak microbenchmark: %w", err)
	}
	peak = r
	return *r, nil
}

var (
	peakMu sync.Mutex
	peak   *measure.Peak
)
