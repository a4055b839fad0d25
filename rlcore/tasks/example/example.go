// Package example is the worked example of the task contract (see package
// rlcore and the guide in package rlcore/tasks): a complete task in one
// file, with no compiler behind it, that the conformance suite
// rlcore/tasktest checks and the meta-optimizer's tests search.
//
// The "example" task: an episode spells a binary fraction. Action 0 does
// nothing; action k+1 adds 2^-k (so bit0 adds 1, bit1 adds 0.5, …). The
// quality is the number spelled so far, and the reference compilation
// "unit" is the fraction 1 (what bit0 alone reaches). Benchmarks ex0 … ex3
// differ only by name: a learner that reads the name (as the search tests'
// synthetic algorithms do) can be made to reach a known quality on each.
package example

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// TaskName is the registered name.
const TaskName = "example"

// Bits is the number of bit actions (after the noop).
const Bits = 20

// Benchmarks are the task's benchmarks.
var Benchmarks = []string{"ex0", "ex1", "ex2", "ex3"}

func init() {
	rlcore.RegisterTask(&rlcore.Task{
		Name: TaskName,
		Doc:  "worked example of the task contract: an episode spells a binary fraction, action k+1 adds 2^-k",
		Options: []rlcore.Option{
			{Name: "reject", Type: rlcore.OptBool, Default: "false", Doc: "make every validation fail (to see how Deploy reports it)"},
		},
		References:       []rlcore.Reference{{Name: "unit", Doc: "the fraction 1, what action bit0 alone reaches"}},
		DefaultReference: "unit",
		Measures:         []rlcore.Measure{{Name: "value", Doc: "the fraction spelled so far"}},
		CheckBenchmark:   checkBenchmark,
		Open: func(_ context.Context, cfg rlcore.OpenConfig) (rlcore.Problem, error) {
			return &Problem{reject: cfg.Options.Bool("reject")}, nil
		},
	})
	rlcore.RegisterState(&rlcore.State{
		Name: "example-value", Task: TaskName,
		Doc: "the fraction spelled so far and the number of actions taken (2)",
		New: rlcore.EpisodeState("example-value", rlcore.NewBox(2, 0, 1e6), observeValue),
	})
}

// Problem is the opened example task. It holds no mutable state, so it is
// safe for concurrent use.
type Problem struct{ reject bool }

// Task is the registered name.
func (p *Problem) Task() string { return TaskName }

// Actions are noop, bit0 … bit19.
func (p *Problem) Actions() []string {
	names := []string{"noop"}
	for k := range Bits {
		names = append(names, fmt.Sprintf("bit%d", k))
	}
	return names
}

// Benchmarks resolves "ex:*" or one benchmark name.
func (p *Problem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	return resolve(spec)
}

// checkBenchmark is the task's CheckBenchmark: the benchmarks are built
// in, so checking a spec is resolving it.
func checkBenchmark(spec string) error {
	_, err := resolve(spec)
	return err
}

func resolve(spec string) ([]string, error) {
	if spec == "ex:*" {
		return slices.Clone(Benchmarks), nil
	}
	if slices.Contains(Benchmarks, spec) {
		return []string{spec}, nil
	}
	return nil, fmt.Errorf("example: unknown benchmark %q; known: ex:*, ex0 … ex3", spec)
}

// NewEpisode starts at the fraction 0.
func (p *Problem) NewEpisode(ctx context.Context, benchmark string) (rlcore.Episode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(Benchmarks, benchmark) {
		return nil, fmt.Errorf("example: unknown benchmark %q; known: ex0 … ex3", benchmark)
	}
	return &Episode{bench: benchmark}, nil
}

// Close releases nothing.
func (p *Problem) Close() error { return nil }

// ValidateActions is the optional rlcore.Validator capability: it checks
// that every action exists (and rejects everything with option reject).
func (p *Problem) ValidateActions(_ context.Context, benchmark string, actions []int) error {
	if p.reject {
		return errors.New("the example task rejects everything (option reject)")
	}
	for _, a := range actions {
		if a < 0 || a > Bits {
			return fmt.Errorf("action %d out of range 0 … %d", a, Bits)
		}
	}
	return nil
}

// Episode is one fraction being spelled.
type Episode struct {
	bench string
	value float64
}

// Benchmark names the episode's benchmark.
func (e *Episode) Benchmark() string { return e.bench }

// Apply adds 2^-(a-1) for a > 0.
func (e *Episode) Apply(ctx context.Context, a int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a < 0 || a > Bits {
		return fmt.Errorf("example: action %d out of range 0 … %d", a, Bits)
	}
	if a > 0 {
		e.value += math.Ldexp(1, -(a - 1))
	}
	return nil
}

// Measure reads "value".
func (e *Episode) Measure(_ context.Context, metric string) (float64, error) {
	if metric != "value" {
		return 0, fmt.Errorf("example: unknown measure %q; known: value", metric)
	}
	return e.value, nil
}

// Reference is the optional rlcore.Referencer capability: the reference
// "unit" is the fraction 1.
func (e *Episode) Reference(_ context.Context, ref, metric string) (float64, error) {
	if ref != "unit" {
		return 0, fmt.Errorf("example: unknown reference compilation %q; known: unit", ref)
	}
	if metric != "quality" && metric != "value" {
		return 0, fmt.Errorf("example: unknown measure %q; known: value, quality", metric)
	}
	return 1, nil
}

// Quality is the fraction spelled.
func (e *Episode) Quality(context.Context) (float64, error) { return e.value, nil }

// Fork copies the episode.
func (e *Episode) Fork(context.Context) (rlcore.Episode, error) {
	c := *e
	return &c, nil
}

// Close releases nothing.
func (e *Episode) Close() error { return nil }

// observeValue is example-value: the fraction spelled and the number of
// actions taken.
func observeValue(e *Episode, _ context.Context, history []int) ([]float64, error) {
	return []float64{e.value, float64(len(history))}, nil
}
