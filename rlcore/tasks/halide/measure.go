package halide

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/hl"
)

// serviceName is the isolate service whose workers compile and run
// pipelines: a Halide error, abort, crash or runaway run costs one
// measurement.
const serviceName = "halide"

func init() {
	isolate.Register(isolate.Service{
		Name: serviceName,
		Handlers: map[string]isolate.Handler{
			"measure": isolate.GobHandler(func(_ context.Context, r *hl.Request) (*hl.Result, error) {
				res, err := hl.Measure(*r)
				if err != nil {
					return nil, err
				}
				return &res, nil
			}),
			"images": isolate.GobHandler(func(_ context.Context, pipeline *string) (*imagesReply, error) {
				in, err := hl.Input(*pipeline)
				if err != nil {
					return nil, err
				}
				out, err := hl.Output(*pipeline)
				if err != nil {
					return nil, err
				}
				return &imagesReply{Input: in, Output: out}, nil
			}),
		},
	})
}

type imagesReply struct{ Input, Output hl.Image }

// Measurement is what timing one schedule found.
type Measurement struct {
	// Speedup is DefaultMs / TimeMs: the median wall time of this
	// schedule's runs against the median CPU time of the default
	// schedule's, timed interleaved one by one (the default, then this
	// schedule, then this schedule, then the default, …). The default is
	// serial, so its CPU time is all of its work, and unlike its wall time
	// it does not grow when the machine's load preempts a run: under load
	// a long serial run of the default is preempted many times, a short
	// run of a fast schedule seldom, and a ratio of wall times grew with
	// the load (the search had measured lens_blur's best at 104x at load
	// 7, re-timed at 21x). Load still slows this schedule's runs, so under
	// load the figure errs low, not high.
	Speedup float64
	// Spread says how much the run times varied: the larger of the two
	// schedules' interquartile ranges over their medians.
	Spread    float64
	TimeMs    float64 // median run time
	DefaultMs float64 // median CPU time of the default schedule's runs, interleaved
	CompileMs float64 // JIT compile (and auto-schedule) time, 0 when the worker had it cached
	Runs      int
	// Source is an auto-scheduler's schedule as Halide C++, and Params
	// how it was called.
	Source, Params string
	// Err says why the measurement failed: a Halide compile error, a crash,
	// a time-out, or an output that differs from the default schedule's.
	Err string
}

// memo shares measurements across the problems of a process: a schedule
// is compiled and timed once, so the same actions give the same quality
// in every episode and problem of a session (a re-timed schedule would
// not: times vary with the machine's load).
var memo = struct {
	sync.Mutex
	m map[string]*memoEntry
}{m: map[string]*memoEntry{}}

type memoEntry struct {
	done chan struct{}
	m    Measurement
}

// measurer runs measurements in a pool of worker processes.
type measurer struct {
	pool *isolate.Pool
	cfg  measureConfig
}

type measureConfig struct {
	Warmup, Runs        int
	MinTime             time.Duration // time the timed runs should take at least, up to maxRunsPerRun × Runs
	RunTimeout          time.Duration
	CompileTimeout      time.Duration
	AutoScheduleTimeout time.Duration
	Tolerance           float64
	Machine             hl.MachineParams
	Workers             int
	BeamSize, Passes    int // Adams2019's
}

func (c measureConfig) key() string {
	return fmt.Sprintf("w%d r%d mt%v rt%v ct%v at%v tol%g m%v b%d p%d", c.Warmup, c.Runs, c.MinTime, c.RunTimeout, c.CompileTimeout, c.AutoScheduleTimeout, c.Tolerance, c.Machine, c.BeamSize, c.Passes)
}

// measure times the request, once per process for a given request and
// configuration. A failed measurement (Err set) is not an error; a
// cancelled context, or a call stopped at the wall budget's deadline, is
// (and is not remembered).
//
// A candidate schedule whose first measurement beats the pipeline's best
// so far is confirmed before it is remembered (see confirm): the figure
// kept is the median of several, timed side by side with that best.
func (ms *measurer) measure(ctx context.Context, req hl.Request) (Measurement, error) {
	key := ms.memoKey(req)
	for {
		memo.Lock()
		e, ok := memo.m[key]
		if !ok {
			e = &memoEntry{done: make(chan struct{})}
			memo.m[key] = e
			memo.Unlock()
			m, err := ms.run(ctx, req)
			if err == nil && m.Err == "" && req.Directives != "" && req.AutoScheduler == "" {
				m, err = ms.confirm(ctx, req, m)
			}
			if err != nil { // cancelled: forget, so a later call measures
				memo.Lock()
				delete(memo.m, key)
				memo.Unlock()
				close(e.done)
				return Measurement{}, err
			}
			e.m = m
			close(e.done)
			return m, nil
		}
		memo.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return Measurement{}, ctx.Err()
		}
		memo.Lock()
		_, still := memo.m[key]
		memo.Unlock()
		if still {
			return e.m, nil
		}
	}
}

func (ms *measurer) memoKey(req hl.Request) string {
	return req.Pipeline + "\x00" + req.Directives + "\x00" + req.AutoScheduler + "\x00" + ms.cfg.key()
}

// remember stores m as req's memoized measurement (replacing one taken
// earlier).
func (ms *measurer) remember(req hl.Request, m Measurement) {
	e := &memoEntry{done: make(chan struct{}), m: m}
	close(e.done)
	memo.Lock()
	memo.m[ms.memoKey(req)] = e
	memo.Unlock()
}

// confirmRounds is how many more times confirm and the start=best choice
// time each contender: two measurements each, the lower kept (the median
// of two, by medianMeasurement), so a figure that caught a quiet moment
// once does not win; more rounds cost the short budgets of a notebook
// their first rollouts.
const confirmRounds = 1

// incumbents are the best schedule so far per pipeline and measurement
// configuration, shared like memo by every problem of the process.
var incumbents = struct {
	sync.Mutex
	m     map[string]*incumbent
	locks map[string]*sync.Mutex // one confirmation at a time per pipeline
}{m: map[string]*incumbent{}, locks: map[string]*sync.Mutex{}}

type incumbent struct {
	req     hl.Request
	speedup float64 // the figure the search saw
}

func (ms *measurer) incumbentKey(pipeline string) string { return pipeline + "\x00" + ms.cfg.key() }

// lockPipeline serializes confirmations of one pipeline.
func (ms *measurer) lockPipeline(pipeline string) func() {
	k := ms.incumbentKey(pipeline)
	incumbents.Lock()
	l, ok := incumbents.locks[k]
	if !ok {
		l = &sync.Mutex{}
		incumbents.locks[k] = l
	}
	incumbents.Unlock()
	l.Lock()
	return l.Unlock
}

// offer makes req the pipeline's incumbent when it has none or speedup
// beats it.
func (ms *measurer) offer(req hl.Request, speedup float64) {
	k := ms.incumbentKey(req.Pipeline)
	incumbents.Lock()
	defer incumbents.Unlock()
	if inc := incumbents.m[k]; inc == nil || speedup > inc.speedup {
		incumbents.m[k] = &incumbent{req: req, speedup: speedup}
	}
}

// confirm re-times a candidate whose first measurement beats the
// pipeline's incumbent (the first candidate measured becomes the
// incumbent as it is): confirmRounds more times,
// each next to a re-timing of the incumbent (alternating which goes
// first), and returns the candidate's median measurement. The candidate
// becomes the incumbent when its median beats the incumbent's median of
// the same rounds. A search keeps the largest of many noisy figures, and
// a single measurement that happened to catch a quiet moment (or the
// default schedule a busy one) would otherwise be its pick: on this
// 2-core machine under load 3-11, schedules chosen on one measurement at
// 3-14x re-timed at a quarter of that.
func (ms *measurer) confirm(ctx context.Context, req hl.Request, first Measurement) (Measurement, error) {
	defer ms.lockPipeline(req.Pipeline)()
	incumbents.Lock()
	inc := incumbents.m[ms.incumbentKey(req.Pipeline)]
	incumbents.Unlock()
	if inc == nil { // the first: nothing to beat yet
		ms.offer(req, first.Speedup)
		return first, nil
	}
	if first.Speedup <= inc.speedup {
		return first, nil
	}
	got, err := ms.settle(ctx, []hl.Request{req, inc.req}, [][]Measurement{{first}, nil}, confirmRounds)
	if err != nil {
		return Measurement{}, err
	}
	cand := got[0]
	if got[1].Err != "" || cand.Speedup > got[1].Speedup {
		ms.offer(req, cand.Speedup)
		slog.Debug("halide: a new best schedule confirmed", "pipeline", req.Pipeline, "speedup", cand.Speedup, "first", first.Speedup, "incumbent re-timed", got[1].Speedup)
	}
	return cand, nil
}

// settle times the requests of one pipeline side by side: rounds rounds,
// in each every request once (the order reversed every other round), and
// returns per request the median measurement of those and of have[i]
// (the measurement whose speedup is the median; a re-timing that fails,
// say at the run time-out under load, is left out, and a request with no
// successful measurement gets its last failure).
func (ms *measurer) settle(ctx context.Context, reqs []hl.Request, have [][]Measurement, rounds int) ([]Measurement, error) {
	all := make([][]Measurement, len(reqs))
	for i := range reqs {
		if i < len(have) {
			all[i] = append(all[i], have[i]...)
		}
	}
	for r := 0; r < rounds; r++ {
		for j := range reqs {
			i := j
			if r%2 == 1 {
				i = len(reqs) - 1 - j
			}
			m, err := ms.run(ctx, reqs[i])
			if err != nil {
				return nil, err
			}
			all[i] = append(all[i], m)
		}
	}
	out := make([]Measurement, len(reqs))
	for i, ms := range all {
		out[i] = medianMeasurement(ms)
	}
	return out, nil
}

// medianMeasurement is the successful measurement with the median
// speedup (the lower of the two middle ones), or the last failed one.
func medianMeasurement(ms []Measurement) Measurement {
	var ok []Measurement
	var failed Measurement
	for _, m := range ms {
		if m.Err == "" {
			ok = append(ok, m)
		} else {
			failed = m
		}
	}
	if len(ok) == 0 {
		return failed
	}
	slices.SortFunc(ok, func(a, b Measurement) int { return cmp.Compare(a.Speedup, b.Speedup) })
	m := ok[(len(ok)-1)/2]
	for _, o := range ok {
		m.CompileMs = max(m.CompileMs, o.CompileMs)
	}
	return m
}

func (ms *measurer) run(ctx context.Context, req hl.Request) (Measurement, error) {
	if err := ctx.Err(); err != nil {
		return Measurement{}, err
	}
	c := ms.cfg
	req.Warmup, req.Runs, req.MaxRuns, req.Interleave = c.Warmup, c.Runs, maxRunsPerRun*c.Runs, true
	req.MinTimeMs = float64(c.MinTime) / float64(time.Millisecond)
	req.Machine, req.BeamSize, req.Passes = c.Machine, c.BeamSize, c.Passes
	// The run time-out is for candidates: the default schedule is the
	// yardstick and is timed however long it takes on a busy machine.
	isDefault := req.Directives == "" && req.AutoScheduler == ""
	if !isDefault {
		req.RunTimeoutMs = float64(c.RunTimeout) / float64(time.Millisecond)
	}
	timeout := c.CompileTimeout + time.Duration(2*(c.Warmup+c.Runs+1))*c.RunTimeout + 2*c.MinTime
	if isDefault {
		timeout *= 3
	}
	if req.AutoScheduler != "" {
		timeout += c.AutoScheduleTimeout
	}
	res, err := isolate.CallGob[hl.Result](isolate.WithCallTimeout(ctx, timeout), ms.pool, "measure", &req)
	if err != nil {
		if ctx.Err() != nil {
			return Measurement{}, ctx.Err()
		}
		if errors.Is(err, isolate.ErrDeadline) {
			// The wall budget ran out mid-measurement: no verdict on the
			// schedule (a failed measurement would be cached as one).
			return Measurement{}, fmt.Errorf("halide: measuring stopped at the wall budget's deadline: %w", err)
		}
		var crash *isolate.CrashError
		if errors.As(err, &crash) && errors.Is(err, isolate.ErrTimeout) {
			return Measurement{Err: fmt.Sprintf("time-out: compiling and running took over %v: %v", timeout, err)}, nil
		}
		return Measurement{Err: firstLines(err.Error(), 6)}, nil
	}
	return summarize(*res, c.Tolerance), nil
}

// summarize turns a worker's result into a Measurement, failing it when
// the output differs from the default schedule's by more than tol times
// the output's largest magnitude.
func summarize(r hl.Result, tol float64) Measurement {
	m := Measurement{CompileMs: r.CompileMs, Runs: len(r.TimesMs), Source: r.Source}
	if !(r.MaxAbsErr <= tol*math.Max(r.MaxRef, 1e-6)) {
		m.Err = fmt.Sprintf("wrong output: max |output - default output| = %.3g, over the tolerance %.3g × max |default output| (%.3g)", r.MaxAbsErr, tol, r.MaxRef)
		return m
	}
	if len(r.TimesMs) == 0 {
		m.Err = "no timed runs"
		return m
	}
	ref := r.RefMs
	if len(r.RefCPUMs) == len(r.RefMs) && len(ref) > 0 {
		ref = r.RefCPUMs
	}
	m.TimeMs = median(r.TimesMs)
	m.DefaultMs = median(ref)
	m.Speedup = m.DefaultMs / math.Max(m.TimeMs, 1e-6)
	m.Spread = max(relativeIQR(r.TimesMs), relativeIQR(ref))
	return m
}

// maxRunsPerRun bounds the timed runs of a measurement that has not yet
// taken option.min-time: at most this many times option.runs.
const maxRunsPerRun = 10

func median(v []float64) float64 { return quantile(v, 0.5) }

// relativeIQR is the interquartile range of v over its median.
func relativeIQR(v []float64) float64 {
	return (quantile(v, 0.75) - quantile(v, 0.25)) / math.Max(median(v), 1e-9)
}

// quantile interpolates linearly between order statistics.
func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}

func firstLines(s string, n int) string {
	lines := 0
	for i, c := range s {
		if c == '\n' {
			lines++
			if lines == n {
				return s[:i] + " …"
			}
		}
	}
	return s
}
