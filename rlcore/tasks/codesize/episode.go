package codesize

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// Episode is one benchmark being optimized: a module held by a worker
// process. It implements rlcore.Episode. An Episode is not safe for
// concurrent use; its forks may be used concurrently with it (they share
// the worker, whose requests are serialised).
type Episode struct {
	p      *Problem
	b      *benchmark
	w      *isolate.Worker
	handle int
	names  []string // action names applied ("-mem2reg", …)
	ic     int64
	size   int64 // .text size of the current module, -1 until measured
	err    error // set when the worker died: the episode is over
	once   sync.Once
}

var _ rlcore.Episode = (*Episode)(nil)

// NewEpisode starts from the benchmark's O0 module. The benchmark may be
// any name Benchmarks returns, or an unresolved single name
// ("csmith:7", a file path).
func (p *Problem) NewEpisode(ctx context.Context, benchmark string) (rlcore.Episode, error) {
	return p.newEpisode(ctx, benchmark)
}

func (p *Problem) newEpisode(ctx context.Context, name string) (*Episode, error) {
	b, err := p.prepare(ctx, name)
	if err != nil {
		return nil, err
	}
	w, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := p.loadCall(ctx, w, b, &request{Op: opLoad})
	if err != nil {
		w.Release()
		return nil, fmt.Errorf("codesize: load benchmark %s: %w", name, err)
	}
	return &Episode{p: p, b: b, w: w, handle: resp.Handle, ic: resp.IC, size: -1}, nil
}

// Benchmark names the episode's benchmark.
func (e *Episode) Benchmark() string { return e.b.name }

// Passes returns the action names applied so far ("-mem2reg", …).
func (e *Episode) Passes() []string { return append([]string(nil), e.names...) }

// InstructionCount is the current IR instruction count.
func (e *Episode) InstructionCount() int64 { return e.ic }

func (e *Episode) call(ctx context.Context, req *request) (*response, error) {
	if e.err != nil {
		return nil, e.err
	}
	if e.w == nil {
		return nil, errors.New("codesize: episode is closed")
	}
	if err := e.w.Err(); err != nil && errors.Is(err, ErrCrashed) {
		// The worker died serving another episode that shares it (a fork).
		e.err = fmt.Errorf("codesize: benchmark %s: the episode's worker died serving a fork: %w", e.b.name, err)
		return nil, e.err
	}
	req.Handle = e.handle
	resp, err := callLLVM(ctx, e.w, req)
	return resp, e.check(err, req.Op)
}

// check ends the episode when its worker died during a call of kind op:
// with a crash report, or, when the worker was stopped at the caller's
// deadline (the wall budget ran out mid-call), with an error that says so
// and no report (nothing crashed).
func (e *Episode) check(err error, op op) error {
	switch {
	case err == nil || !errors.Is(err, ErrCrashed):
		return err
	case errors.Is(err, isolate.ErrDeadline):
		e.err = fmt.Errorf("codesize: benchmark %s: stopped at the wall budget's deadline after passes %q: %w", e.b.name, e.names, err)
		slog.Debug("codesize: an episode's call was stopped at the deadline", "benchmark", e.b.name, "passes", len(e.names))
	default:
		e.err = e.crashError(err, op)
	}
	return e.err
}

// Apply runs pass number action (an index into Passes).
func (e *Episode) Apply(ctx context.Context, action int) error {
	if action < 0 || action >= len(Passes) {
		return fmt.Errorf("codesize: action %d out of range [0, %d)", action, len(Passes))
	}
	ps := Passes[action]
	e.names = append(e.names, ps.Name)
	resp, err := e.call(ctx, &request{Op: opApply, Pipeline: ps.Pipeline, Verify: e.p.verifyEach})
	if err != nil {
		if e.err == nil && strings.HasPrefix(err.Error(), errInvalidIR.Error()) {
			// The module is broken: later passes could crash on it.
			e.err = fmt.Errorf("codesize: benchmark %s: pass %s after %s: %w", e.b.name, ps.Name, strings.Join(e.names[:len(e.names)-1], " "), err)
			return e.err
		}
		if e.err == nil {
			e.names = e.names[:len(e.names)-1]
			return fmt.Errorf("codesize: benchmark %s: pass %s: %w", e.b.name, ps.Name, err)
		}
		return err
	}
	e.ic = resp.IC
	e.size = -1
	return nil
}

// Measure reads "ic" (IR instruction count), "textsize" (bytes of .text
// in the object file for the host) or "runtime" (seconds, the median of
// RuntimeRuns runs of the program built from the module; benchmarks with a
// main only).
func (e *Episode) Measure(ctx context.Context, metric string) (float64, error) {
	switch metric {
	case "ic":
		if e.err != nil {
			return 0, e.err
		}
		return float64(e.ic), nil
	case "runtime":
		return e.runtime(ctx)
	case "textsize":
		if e.size < 0 {
			resp, err := e.query(ctx, opTextSize, "text size")
			if err != nil {
				return 0, err
			}
			e.size = resp.Size
		}
		return float64(e.size), nil
	}
	return 0, fmt.Errorf("codesize: unknown metric %q: want ic, textsize or runtime", metric)
}

// Reference reads "ic", "textsize" or "quality" under reference
// compilation "o0", "oz" or "o3" (rlcore.Referencer).
func (e *Episode) Reference(_ context.Context, ref, metric string) (float64, error) {
	return e.b.baseline(metric, ref)
}

// Quality is (IC_O0 − IC) / (IC_O0 − IC_Oz): 1.0 = as many instructions
// removed as -Oz (CompilerGym's llvm-ic-v0 leaderboard score).
func (e *Episode) Quality(_ context.Context) (float64, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.b.quality(e.ic), nil
}

// Fork clones the module inside the same worker.
func (e *Episode) Fork(ctx context.Context) (rlcore.Episode, error) {
	resp, err := e.call(ctx, &request{Op: opClone})
	if err != nil {
		return nil, fmt.Errorf("codesize: fork %s: %w", e.b.name, err)
	}
	e.w.Retain()
	return &Episode{p: e.p, b: e.b, w: e.w, handle: resp.Handle, ic: e.ic, size: e.size,
		names: append([]string(nil), e.names...)}, nil
}

// query asks the worker for what (named in the error) of the current
// module. The response is never nil: on an error it is empty.
func (e *Episode) query(ctx context.Context, o op, what string) (*response, error) {
	resp, err := e.call(ctx, &request{Op: o})
	if err != nil {
		return &response{}, fmt.Errorf("codesize: benchmark %s: %s: %w", e.b.name, what, err)
	}
	return resp, nil
}

// object returns the current module compiled for the host by the worker's
// target machine: an object file.
func (e *Episode) object(ctx context.Context) ([]byte, error) {
	resp, err := e.query(ctx, opObject, "object code")
	return resp.Bitcode, err
}

// InstCount returns CompilerGym's 70 InstCount features of the module.
func (e *Episode) InstCount(ctx context.Context) ([]int64, error) {
	resp, err := e.query(ctx, opInstCount, "InstCount")
	return resp.Counts, err
}

// Autophase returns the 56 Autophase features of the module.
func (e *Episode) Autophase(ctx context.Context) ([]int64, error) {
	resp, err := e.query(ctx, opAutophase, "Autophase")
	return resp.Counts, err
}

// Bitcode returns the current module as bitcode.
func (e *Episode) Bitcode(ctx context.Context) ([]byte, error) {
	resp, err := e.query(ctx, opBitcode, "bitcode")
	return resp.Bitcode, err
}

// SaveState saves the current module as bitcode (rlcore.StateSaver): a
// copy that, unlike a Fork, lives outside the worker's LLVM context, so
// that keeping it changes nothing in the passes the episode runs next (a
// live clone shares the context's constants, whose use lists some passes
// read). Problem.ValidateSavedState validates it.
func (e *Episode) SaveState(ctx context.Context) ([]byte, error) { return e.Bitcode(ctx) }

// IR returns the current module as textual LLVM IR.
func (e *Episode) IR(ctx context.Context) (string, error) {
	resp, err := e.query(ctx, opIR, "IR")
	return resp.IR, err
}

// Verify runs LLVM's module verifier on the current module.
func (e *Episode) Verify(ctx context.Context) error {
	if _, err := e.call(ctx, &request{Op: opVerify}); err != nil {
		return fmt.Errorf("codesize: benchmark %s after %s: %w", e.b.name, strings.Join(e.names, " "), err)
	}
	return nil
}

// Close frees the module and gives the worker back.
func (e *Episode) Close() error {
	e.once.Do(func() {
		if e.w == nil {
			return
		}
		if e.err == nil {
			// Freeing cannot fail in a live worker; a dead one has nothing to free.
			callLLVM(context.Background(), e.w, &request{Op: opFree, Handle: e.handle})
		}
		e.w.Release()
		e.w = nil
	})
	return nil
}
