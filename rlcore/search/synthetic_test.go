package search

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/example"
)

// The synthetic fixture of the meta-optimizer: components and algorithms
// of the example task (rlcore/tasks/example) whose arm qualities are known.
// The quality an example episode reaches is built from binary actions (bit
// k adds 2^-k), so a synthetic algorithm reaches a chosen quality exactly
// through the real TaskEnv and Recorder. The quality a pull aims at depends
// deterministically on the arm's components and the benchmark, plus seeded
// noise; "work" burns a controlled amount of CPU per step.

const synBits = example.Bits // actions: noop, then bit0 (adds 1) … bit19 (adds 2^-19)

const synTask = example.TaskName

var synEffects = map[string]float64{
	// algorithms
	"syn-a": 0.30, "syn-b": 0.20, "syn-c": 0.10,
	// states
	"s-good": 0.10, "s-plain": 0,
	// rewards
	"r-plain": 0, "r-good": 0.05,
	// transitions
	"t-good": 0.06, "t-plain": 0,
}

var synBenchmarks = map[string]float64{"ex0": 0.5, "ex1": 0.3, "ex2": 0.6, "ex3": 0.4}

// synQuality is the known mean score of an arm over benchmarks.
func synQuality(arm rlcore.Arm, benchmarks []string) float64 {
	alg, _ := ParseAlgorithm(arm.Algorithm)
	q := synEffects[alg.Name] + synEffects[arm.State] + synEffects[arm.Reward] + synEffects[arm.Transition]
	var off float64
	for _, b := range benchmarks {
		off += synBenchmarks[b]
	}
	return q + off/float64(len(benchmarks))
}

// synTrain is the synthetic algorithm: each episode it writes the arm's
// target quality plus seeded noise as a bit sequence. Hyperparameters:
// noise (per pull), lr (best at 0.01: the tuning test's optimum), work
// (arithmetic per step, to make pulls CPU-bound).
func synTrain(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
	te, ok := env.(*rlcore.TaskEnv)
	if !ok {
		return nil, errors.New("synthetic algorithms need a *rlcore.TaskEnv")
	}
	arm := te.Arm()
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 7))
	pullNoise := rng.NormFloat64() * cfg.Hyper["noise"]
	lrPenalty := 0.05 * math.Pow(math.Log10(cfg.Hyper["lr"])+2, 2)
	work := int(cfg.Hyper["work"])
	rec := rlcore.NewRecorder(ctx, env, cfg)
	var sink float64
	for !rec.Stopped() {
		if _, err := rec.Reset(); err != nil {
			continue
		}
		target := synQuality(arm, []string{rec.Benchmark()}) + pullNoise - lrPenalty + rng.NormFloat64()*0.01
		target = math.Min(math.Max(target, 0), 1.999)
		for k := 0; !rec.Stopped(); k++ {
			a := 0
			if k < synBits && target >= math.Ldexp(1, -k) {
				target -= math.Ldexp(1, -k)
				a = k + 1
			}
			for i := range work {
				sink += math.Sqrt(float64(i) + sink*1e-9)
			}
			sr, err := rec.Step(a)
			if err != nil || sr.Done() {
				break
			}
		}
	}
	res := rec.Finish(nil)
	if sink < 0 {
		res.Err = errors.New("unreachable")
	}
	return res, nil
}

var synParams = []rlcore.Param{
	{Name: "noise", Doc: "pull noise", Default: 0.02, Min: 0, Max: 1},
	{Name: "lr", Doc: "learning rate; best at 0.01", Default: 0.01, Min: 1e-4, Max: 1, Log: true},
	{Name: "work", Doc: "arithmetic per step", Default: 0, Min: 0, Max: 1e9, Int: true},
}

var failingPulls atomic.Int64

func init() {
	for _, s := range []string{"s-good", "s-plain"} {
		rlcore.RegisterState(&rlcore.State{Name: s, Task: synTask, Doc: "synthetic state",
			New: func(p rlcore.Problem, args []string) (rlcore.StateFunc, error) {
				st, _ := rlcore.LookupState("example-value", synTask)
				return st.New(p, args)
			}})
	}
	for _, r := range []string{"r-good", "r-plain"} {
		rlcore.RegisterReward(&rlcore.Reward{Name: r, Task: synTask, Doc: "synthetic reward",
			Func: func(s *rlcore.RewardSignal) (float64, error) { return s.Quality - s.PrevQuality, nil }})
	}
	for _, t := range []string{"t-good", "t-plain"} {
		rlcore.RegisterTransition(&rlcore.Transition{Name: t, Task: synTask, Doc: "synthetic transition",
			Step: func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
				return in.Episode, true, in.Episode.Apply(ctx, in.Action)
			}})
	}
	for _, a := range []string{"syn-a", "syn-b", "syn-c"} {
		rlcore.RegisterAlgorithm(&rlcore.Algorithm{Name: a, Doc: "synthetic learner", Kind: rlcore.Learner, Params: synParams, Train: synTrain})
	}
	rlcore.RegisterAlgorithm(&rlcore.Algorithm{Name: "syn-fail", Doc: "always fails to start", Kind: rlcore.Learner,
		Train: func(context.Context, rlcore.Env, rlcore.TrainConfig) (*rlcore.Result, error) {
			failingPulls.Add(1)
			return nil, errors.New("syn-fail cannot start")
		}})
	rlcore.RegisterAlgorithm(&rlcore.Algorithm{Name: "syn-panic", Doc: "panics while training", Kind: rlcore.Learner,
		Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
			failingPulls.Add(1)
			rec := rlcore.NewRecorder(ctx, env, cfg)
			rec.Reset()
			var m map[string]int
			m["boom"]++ // nil map write: a real panic
			return rec.Finish(nil), nil
		}})
}

// synSpec is the 24-arm test space (3 algorithms × 2 states × 2 rewards ×
// 2 transitions); its best arm is syn-a · s-good · r-good · t-good.
func synSpec(name string) Spec {
	s, err := ParseSpec(name, `
task: example
benchmarks: ex0, ex1 ; test: ex2, ex3
states: s-plain, s-good
rewards: r-plain, r-good
transitions: t-plain, t-good
algorithms: syn-c(noise=0.05), syn-b(noise=0.05), syn-a(noise=0.05)
horizon: 21
pull: 63steps   # three episodes per pull
seed: 1
`)
	if err != nil {
		panic(err)
	}
	return s
}

// stoppableSearch is how the tests that stop a stored search open: a fresh
// run store, a context to cancel (cancelled at the end of the test too)
// and synSpec(name).
func stoppableSearch(t *testing.T, name string) (*store.Store, context.Context, context.CancelFunc, Spec) {
	st := storetest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // before the store closes
	return st, ctx, cancel, synSpec(name)
}

func bestArmName(s Spec) string {
	best, bq := "", math.Inf(-1)
	for _, a := range s.Arms() {
		if q := synQuality(a, []string{"ex0"}); q > bq {
			best, bq = a.String(), q
		}
	}
	return best
}

func isBest(name string) bool {
	return strings.HasPrefix(name, "syn-a") && strings.HasSuffix(name, " · s-good · r-good · all · t-good")
}
