// Package bandit chooses among k arms by their rewards: the UCB1 and
// Thompson-sampling strategies, as reusable Selectors (the architecture
// search uses them to decide which client-RL architecture to train next)
// and as rlcore Algorithms ("ucb1", "thompson") over one-step
// environments such as envs.Bandit.
//
// A Selector is used in a loop:
//
//	sel, _ := bandit.NewUCB1(len(arms), math.Sqrt2)
//	rng := rand.New(rand.NewPCG(uint64(seed), 0))
//	for range pulls {
//		arm := sel.Select(rng)
//		sel.Update(arm, pull(arm)) // the reward, ideally in [0, 1]
//	}
//	best := bandit.MostPulled(sel)
//
// Selectors are not safe for concurrent use: a parallel search guards its
// Selector with a mutex. Select does not reserve the arm; a search that
// pulls several arms at once before updating may want to skip arms that
// are in flight (see SelectExcept).
package bandit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
	"gonum.org/v1/gonum/stat/distuv"
)

// Selector picks arms and learns from their rewards.
type Selector interface {
	// Select returns the arm to pull next, in [0, k). Randomness (tie
	// breaking, posterior sampling) comes from rng only.
	Select(rng *rand.Rand) int
	// Update records the reward of one pull of arm. An arm outside
	// [0, k) or a non-finite reward is a programming error and panics.
	Update(arm int, reward float64)
	// Counts returns how often each arm was updated.
	Counts() []int
	// Means returns each arm's mean reward so far (0 for unpulled arms).
	Means() []float64
}

// stats holds the per-arm counts and reward sums every Selector keeps.
type stats struct {
	n   []int
	sum []float64
	t   int
}

func newStats(k int) (stats, error) {
	if k < 1 {
		return stats{}, fmt.Errorf("bandit: k = %d arms: want at least one", k)
	}
	return stats{n: make([]int, k), sum: make([]float64, k)}, nil
}

func (s *stats) update(arm int, reward float64) {
	if arm < 0 || arm >= len(s.n) {
		panic(fmt.Sprintf("bandit: Update of arm %d: want an arm in [0, %d)", arm, len(s.n)))
	}
	if math.IsNaN(reward) || math.IsInf(reward, 0) {
		panic(fmt.Sprintf("bandit: Update of arm %d with reward %v: want a finite number", arm, reward))
	}
	s.n[arm]++
	s.sum[arm] += reward
	s.t++
}

// Counts returns how often each arm was updated.
func (s *stats) Counts() []int { return append([]int(nil), s.n...) }

// Means returns each arm's mean reward (0 for unpulled arms).
func (s *stats) Means() []float64 {
	m := make([]float64, len(s.n))
	for i, n := range s.n {
		if n > 0 {
			m[i] = s.sum[i] / float64(n)
		}
	}
	return m
}

// argmax returns the index of the highest score, breaking ties uniformly
// at random; indices with skip[i] set are left out (skip may be nil).
// It returns -1 when every index is skipped.
func argmax(scores []float64, skip []bool, rng *rand.Rand) int {
	m := rlcore.NewArgmax(rng)
	for i, v := range scores {
		if skip != nil && skip[i] {
			continue
		}
		m.Offer(i, v)
	}
	return m.Best
}

// UCB1 is the upper-confidence-bound strategy of Auer, Cesa-Bianchi &
// Fischer (2002): pull every arm once, then the arm maximising
// mean + c·sqrt(ln t / n). With rewards in [0, 1] and c = √2 its expected
// regret grows as O(log t); for rewards on another scale, scale c by the
// reward range.
type UCB1 struct {
	stats
	c float64
}

// NewUCB1 makes a UCB1 selector over k arms with exploration constant c
// (√2 is the classic value).
func NewUCB1(k int, c float64) (*UCB1, error) {
	s, err := newStats(k)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(c) || c < 0 || math.IsInf(c, 0) {
		return nil, fmt.Errorf("bandit: UCB1 exploration constant c = %g: want a finite value ≥ 0", c)
	}
	return &UCB1{stats: s, c: c}, nil
}

// Select returns an unpulled arm if there is one, else the arm with the
// highest upper confidence bound; ties are broken at random.
func (u *UCB1) Select(rng *rand.Rand) int { return u.SelectExcept(rng, nil) }

// SelectExcept is Select leaving out the arms with skip[arm] set (nil
// skips nothing). It returns -1 when every arm is skipped.
func (u *UCB1) SelectExcept(rng *rand.Rand, skip []bool) int {
	scores := make([]float64, len(u.n))
	logT := math.Log(float64(max(u.t, 1)))
	for i, n := range u.n {
		if n == 0 {
			scores[i] = math.Inf(1)
			continue
		}
		scores[i] = u.sum[i]/float64(n) + u.c*math.Sqrt(logT/float64(n))
	}
	return argmax(scores, skip, rng)
}

// Update records a reward of arm.
func (u *UCB1) Update(arm int, reward float64) { u.update(arm, reward) }

// ThompsonModel is the reward model of a Thompson selector.
type ThompsonModel int

const (
	// BetaBernoulli models rewards in [0, 1] as Bernoulli trials with a
	// Beta(1, 1) prior; a reward r adds r successes and 1−r failures
	// (Agrawal & Goyal, 2012). Rewards outside [0, 1] are clipped.
	BetaBernoulli ThompsonModel = iota
	// GaussianModel models rewards as Gaussian with known standard
	// deviation sigma: an arm's mean is sampled from
	// N(mean, sigma²/(n+1)), unpulled arms from N(0, sigma²)
	// (Agrawal & Goyal, 2013).
	GaussianModel
)

func (m ThompsonModel) String() string {
	switch m {
	case BetaBernoulli:
		return "beta-bernoulli"
	case GaussianModel:
		return "gaussian"
	}
	return fmt.Sprintf("ThompsonModel(%d)", int(m))
}

// Thompson is Thompson sampling (Thompson, 1933): sample each arm's mean
// from its posterior and pull the arm with the highest sample.
type Thompson struct {
	stats
	model ThompsonModel
	sigma float64
	succ  []float64 // BetaBernoulli: Σ clipped rewards
}

// NewThompson makes a Beta-Bernoulli Thompson selector over k arms, for
// rewards in [0, 1].
func NewThompson(k int) (*Thompson, error) {
	s, err := newStats(k)
	if err != nil {
		return nil, err
	}
	return &Thompson{stats: s, model: BetaBernoulli, succ: make([]float64, k)}, nil
}

// NewGaussianThompson makes a Gaussian Thompson selector over k arms whose
// rewards have standard deviation about sigma.
func NewGaussianThompson(k int, sigma float64) (*Thompson, error) {
	s, err := newStats(k)
	if err != nil {
		return nil, err
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("bandit: Thompson sigma = %g: want a finite value > 0", sigma)
	}
	return &Thompson{stats: s, model: GaussianModel, sigma: sigma, succ: make([]float64, k)}, nil
}

// Model is the selector's reward model.
func (t *Thompson) Model() ThompsonModel { return t.model }

// Select samples every arm's posterior and returns the best sample.
func (t *Thompson) Select(rng *rand.Rand) int { return t.SelectExcept(rng, nil) }

// SelectExcept is Select leaving out the arms with skip[arm] set (nil
// skips nothing). It returns -1 when every arm is skipped.
func (t *Thompson) SelectExcept(rng *rand.Rand, skip []bool) int {
	scores := make([]float64, len(t.n))
	for i, n := range t.n {
		if skip != nil && skip[i] {
			continue
		}
		switch t.model {
		case BetaBernoulli:
			a, b := 1+t.succ[i], 1+float64(n)-t.succ[i]
			scores[i] = distuv.Beta{Alpha: a, Beta: b, Src: rng}.Rand()
		case GaussianModel:
			mean := 0.0
			if n > 0 {
				mean = t.sum[i] / float64(n)
			}
			scores[i] = mean + t.sigma/math.Sqrt(float64(n+1))*rng.NormFloat64()
		}
	}
	return argmax(scores, skip, rng)
}

// Update records a reward of arm.
func (t *Thompson) Update(arm int, reward float64) {
	t.update(arm, reward)
	if t.model == BetaBernoulli {
		t.succ[arm] += math.Min(1, math.Max(0, reward))
	}
}

// MostPulled returns the arm pulled most often (the lowest index on ties),
// the usual final choice of a bandit search.
func MostPulled(s Selector) int {
	counts := s.Counts()
	best := 0
	for i, n := range counts {
		if n > counts[best] {
			best = i
		}
	}
	return best
}

// BestMean returns the pulled arm with the highest mean reward (the
// lowest index on ties), or -1 when no arm was pulled.
func BestMean(s Selector) int {
	counts, means := s.Counts(), s.Means()
	best := -1
	for i, n := range counts {
		if n > 0 && (best < 0 || means[i] > means[best]) {
			best = i
		}
	}
	return best
}

var (
	_ Selector = (*UCB1)(nil)
	_ Selector = (*Thompson)(nil)
)
