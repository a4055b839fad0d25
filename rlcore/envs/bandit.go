package envs

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// BanditKind is the reward distribution of a bandit's arms.
type BanditKind int

const (
	// Gaussian arms pay a reward drawn from N(mean, 1), as in the 10-armed
	// testbed of Sutton & Barto (2nd ed., 2018), Section 2.3.
	Gaussian BanditKind = iota
	// Bernoulli arms pay 1 with probability p and 0 otherwise.
	Bernoulli
)

func (k BanditKind) String() string {
	switch k {
	case Gaussian:
		return "gaussian"
	case Bernoulli:
		return "bernoulli"
	}
	return fmt.Sprintf("BanditKind(%d)", int(k))
}

// Bandit is a k-armed bandit: every episode is one step, the action is the
// arm pulled and the reward is drawn from that arm's distribution. The
// observation is the constant Discrete(1) point [0].
//
// The bandit counts pulls and accumulates the pseudo-regret
// Σ (μ* − μ_arm) over them, so that tests and notebooks can plot regret
// without knowing how an algorithm works.
type Bandit struct {
	kind   BanditKind
	params []float64 // means (Gaussian) or success probabilities (Bernoulli)
	rng    *rand.Rand
	best   float64

	pulls  []int
	regret float64
	inEp   bool
}

// NewBandit makes a bandit with one arm per entry of params: the mean of
// a Gaussian arm, or the success probability of a Bernoulli arm (in
// [0, 1]). seed makes the rewards reproducible.
func NewBandit(kind BanditKind, params []float64, seed int64) (*Bandit, error) {
	if len(params) < 1 {
		return nil, fmt.Errorf("bandit: no arms: want at least one mean or probability")
	}
	if kind != Gaussian && kind != Bernoulli {
		return nil, fmt.Errorf("bandit: unknown kind %v: want Gaussian or Bernoulli", kind)
	}
	for i, p := range params {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("bandit: arm %d has parameter %v: want a finite number", i, p)
		}
		if kind == Bernoulli && (p < 0 || p > 1) {
			return nil, fmt.Errorf("bandit: arm %d has probability %g: want a value in [0, 1]", i, p)
		}
	}
	b := &Bandit{
		kind:   kind,
		params: append([]float64(nil), params...),
		rng:    rand.New(rand.NewPCG(uint64(seed), 0x62616e646974)),
		best:   math.Inf(-1),
		pulls:  make([]int, len(params)),
	}
	for _, p := range params {
		b.best = math.Max(b.best, p)
	}
	return b, nil
}

// NewTestbed makes the k-armed Gaussian testbed of Sutton & Barto
// (Section 2.3): arm means drawn from N(0, 1), rewards from N(mean, 1).
// The means come from seed, and so do the rewards.
func NewTestbed(k int, seed int64) (*Bandit, error) {
	if k < 1 {
		return nil, fmt.Errorf("bandit testbed: k = %d: want at least one arm", k)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x74657374626564))
	means := make([]float64, k)
	for i := range means {
		means[i] = rng.NormFloat64()
	}
	return NewBandit(Gaussian, means, seed)
}

// ObservationSpace is Discrete(1): the bandit has no state.
func (b *Bandit) ObservationSpace() rlcore.Space { return rlcore.Discrete{N: 1} }

// ActionSpace has one action per arm.
func (b *Bandit) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: len(b.params)} }

// Reset starts a one-step episode; the benchmark name is ignored.
func (b *Bandit) Reset(ctx context.Context, _ string) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.inEp = true
	return []float64{0}, nil
}

// Step pulls arm action and ends the episode.
func (b *Bandit) Step(ctx context.Context, action int) (rlcore.StepResult, error) {
	if err := ctx.Err(); err != nil {
		return rlcore.StepResult{}, err
	}
	if action < 0 || action >= len(b.params) {
		return rlcore.StepResult{}, fmt.Errorf("bandit: arm %d: want an arm in [0, %d)", action, len(b.params))
	}
	if !b.inEp {
		return rlcore.StepResult{}, fmt.Errorf("bandit: step after the end of the one-step episode: call Reset first")
	}
	b.inEp = false
	p := b.params[action]
	var r float64
	switch b.kind {
	case Gaussian:
		r = p + b.rng.NormFloat64()
	case Bernoulli:
		if b.rng.Float64() < p {
			r = 1
		}
	}
	b.pulls[action]++
	b.regret += b.best - p
	return rlcore.StepResult{Obs: []float64{0}, Reward: r, Terminated: true}, nil
}

// Kind is the arms' reward distribution.
func (b *Bandit) Kind() BanditKind { return b.kind }

// Means returns each arm's expected reward.
func (b *Bandit) Means() []float64 { return append([]float64(nil), b.params...) }

// BestArm is the arm with the highest expected reward (the first, on ties).
func (b *Bandit) BestArm() int {
	best := 0
	for i, p := range b.params {
		if p > b.params[best] {
			best = i
		}
	}
	return best
}

// Pulls returns how often each arm was pulled.
func (b *Bandit) Pulls() []int { return append([]int(nil), b.pulls...) }

// Regret is the pseudo-regret of all pulls so far: Σ (μ* − μ_arm).
func (b *Bandit) Regret() float64 { return b.regret }
