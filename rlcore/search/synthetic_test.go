package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// The synthetic task is the test fixture of the meta-optimizer: a Problem
// whose arm qualities are known. The quality an episode reaches is built
// from binary actions (bit k adds 2^-k), so a synthetic algorithm reaches a
// chosen quality exactly through the real TaskEnv and Recorder. The quality
// a pull aims at depends deterministically on the arm's components and the
// benchmark, plus seeded noise; "work" burns a controlled amount of CPU
// per step.

const synBits = 20 // actions: noop, then bit0 (adds 1) … bit19 (adds 2^-19)

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

var synBenchmarks = map[string]float64{"syn0": 0.5, "syn1": 0.3, "syn2": 0.6, "syn3": 0.4}

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

type synProblem struct {
	validated atomic.Int64
	rejectAll bool
}

func (p *synProblem) Task() string { return "synthetic" }

func (p *synProblem) Actions() []string {
	names := []string{"noop"}
	for k := range synBits {
		names = append(names, fmt.Sprintf("bit%d", k))
	}
	return names
}

func (p *synProblem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	if spec == "syn:*" {
		return []string{"syn0", "syn1", "syn2", "syn3"}, nil
	}
	if _, ok := synBenchmarks[spec]; ok {
		return []string{spec}, nil
	}
	return nil, fmt.Errorf("unknown benchmark %q; known: syn:*, syn0 … syn3", spec)
}

func (p *synProblem) NewEpisode(_ context.Context, b string) (rlcore.Episode, error) {
	if _, ok := synBenchmarks[b]; !ok {
		return nil, fmt.Errorf("unknown benchmark %q", b)
	}
	return &synEpisode{bench: b}, nil
}

func (p *synProblem) Close() error { return nil }

// ValidateActions is the optional replay-validation hook (search.Validator).
func (p *synProblem) ValidateActions(_ context.Context, benchmark string, actions []int) error {
	p.validated.Add(1)
	if p.rejectAll {
		return errors.New("the synthetic validator rejects everything")
	}
	for _, a := range actions {
		if a < 0 || a > synBits {
			return fmt.Errorf("action %d out of range", a)
		}
	}
	return nil
}

type synEpisode struct {
	bench   string
	quality float64
}

func (e *synEpisode) Benchmark() string { return e.bench }
func (e *synEpisode) Apply(_ context.Context, a int) error {
	if a > 0 {
		e.quality += math.Ldexp(1, -(a - 1))
	}
	return nil
}
func (e *synEpisode) Measure(context.Context, string) (float64, error) { return e.quality, nil }
func (e *synEpisode) Baseline(_ context.Context, metric, baseline string) (float64, error) {
	if metric == "quality" && baseline == "oz" {
		return 1, nil
	}
	return 0, fmt.Errorf("no baseline %s of %s", baseline, metric)
}
func (e *synEpisode) Quality(context.Context) (float64, error) { return e.quality, nil }
func (e *synEpisode) Fork(context.Context) (rlcore.Episode, error) {
	c := *e
	return &c, nil
}
func (e *synEpisode) Close() error { return nil }

type synState struct{}

func (synState) Space() rlcore.Space { return rlcore.NewBox(2, -10, 10) }
func (synState) Observe(_ context.Context, ep rlcore.Episode, h []int) ([]float64, error) {
	q, _ := ep.Quality(context.Background())
	return []float64{q, float64(len(h))}, nil
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
	rlcore.RegisterTask(&rlcore.Task{Name: "synthetic", Doc: "meta-optimizer test fixture with known arm qualities",
		Open: func(_ context.Context, opts map[string]string) (rlcore.Problem, error) {
			for k := range opts {
				if k != "reject" {
					return nil, fmt.Errorf("unknown option %q; known: reject", k)
				}
			}
			return &synProblem{rejectAll: opts["reject"] == "yes"}, nil
		}})
	for _, s := range []string{"s-good", "s-plain"} {
		rlcore.RegisterState(&rlcore.State{Name: s, Task: "synthetic", Doc: "synthetic state",
			New: func(rlcore.Problem, []string) (rlcore.StateFunc, error) { return synState{}, nil }})
	}
	for _, r := range []string{"r-good", "r-plain"} {
		rlcore.RegisterReward(&rlcore.Reward{Name: r, Task: "synthetic", Doc: "synthetic reward",
			Func: func(s *rlcore.RewardSignal) (float64, error) { return s.Quality - s.PrevQuality, nil }})
	}
	for _, t := range []string{"t-good", "t-plain"} {
		rlcore.RegisterTransition(&rlcore.Transition{Name: t, Task: "synthetic", Doc: "synthetic transition",
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
task: synthetic
benchmarks: syn0, syn1 ; test: syn2, syn3
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

func bestArmName(s Spec) string {
	best, bq := "", math.Inf(-1)
	for _, a := range s.Arms() {
		if q := synQuality(a, []string{"syn0"}); q > bq {
			best, bq = a.String(), q
		}
	}
	return best
}

func isBest(name string) bool {
	return strings.HasPrefix(name, "syn-a") && strings.HasSuffix(name, " · s-good · r-good · all · t-good")
}
