package halide

import (
	"context"
	"errors"
	"fmt"
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
	// Speedup is DefaultMs / TimeMs: the two medians are taken over runs
	// interleaved one by one (the default, then this schedule, then this
	// schedule, then the default, …), so both saw the same load and their
	// ratio holds under load when absolute times do not.
	Speedup float64
	// Spread says how much the run times varied: the larger of the two
	// schedules' interquartile ranges over their medians.
	Spread    float64
	TimeMs    float64 // median run time
	DefaultMs float64 // median run time of the default schedule, interleaved
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
func (ms *measurer) measure(ctx context.Context, req hl.Request) (Measurement, error) {
	key := req.Pipeline + "\x00" + req.Directives + "\x00" + req.AutoScheduler + "\x00" + ms.cfg.key()
	for {
		memo.Lock()
		e, ok := memo.m[key]
		if !ok {
			e = &memoEntry{done: make(chan struct{})}
			memo.m[key] = e
			memo.Unlock()
			m, err := ms.run(ctx, req)
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
	m.TimeMs = median(r.TimesMs)
	m.DefaultMs = median(r.RefMs)
	m.Speedup = m.DefaultMs / math.Max(m.TimeMs, 1e-6)
	m.Spread = max(relativeIQR(r.TimesMs), relativeIQR(r.RefMs))
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
