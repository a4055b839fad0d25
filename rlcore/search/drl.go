package search

import (
	"encoding/json"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// drlStrategy is the paper's meta-optimizer, with its defects fixed. A
// policy-gradient agent chooses each pull: its observation is the recent
// arm history (the component choices of the last drlHistory chosen arms,
// one-hot), and its policy is a product of softmax heads, one per component
// kind (algorithm, state, reward, actions, transition), each linear in the
// observation — the shape of a neural-architecture-search controller,
// which lets what it learns about one component carry over to every arm
// that shares it. It learns by REINFORCE with a baseline.
//
// Multi-task: the meta reward is the pull's quality on each training
// benchmark standardized by that benchmark's running mean and spread
// (PopArt-like), averaged over benchmarks, so easy and hard benchmarks
// weigh alike; the advantage is that reward minus the running mean of meta
// rewards. Unlike the original, every active arm has a
// positive probability, the reward is not clipped, and the winner is the
// board's best mean (not the most frequent recent choice).
type drlStrategy struct {
	rng     *rand.Rand
	dims    []int
	offsets []int   // start of each component in a one-hot arm encoding
	width   int     // Σ dims
	history [][]int // component vectors of recent arms, most recent first
	// w[c][f][v]: weight of feature f for value v of component c; the
	// last feature is the constant 1 (bias).
	w       [][][]float64
	pending map[int][][]int // arm → features of its in-flight pulls, FIFO
	bench   map[string]*welford
	rewards welford // meta rewards seen
}

const (
	drlHistory = 4
	drlLR      = 0.3
	// drlFailReward is the meta reward of a failed pull, in standardized
	// units (two spreads below a typical pull).
	drlFailReward = -2
)

func newDRL(b *Board, _ rlcore.Budget, rng *rand.Rand) Strategy {
	s := &drlStrategy{rng: rng, dims: b.Dims, pending: map[int][][]int{}, bench: map[string]*welford{}}
	for _, d := range b.Dims {
		s.offsets = append(s.offsets, s.width)
		s.width += d
	}
	nf := drlHistory*s.width + 1
	s.w = make([][][]float64, len(b.Dims))
	for c, d := range b.Dims {
		s.w[c] = make([][]float64, nf)
		for f := range s.w[c] {
			s.w[c][f] = make([]float64, d)
		}
	}
	return s
}

// features lists the active features (indices) of the current history.
func (s *drlStrategy) features() []int {
	f := []int{drlHistory * s.width} // bias
	for h, v := range s.history {
		for c, x := range v {
			f = append(f, h*s.width+s.offsets[c]+x)
		}
	}
	return f
}

// probs is the softmax of component c's head for features f.
func (s *drlStrategy) probs(c int, f []int) []float64 {
	logits := make([]float64, s.dims[c])
	for _, fi := range f {
		for v, w := range s.w[c][fi] {
			logits[v] += w
		}
	}
	m := math.Inf(-1)
	for _, l := range logits {
		m = math.Max(m, l)
	}
	var z float64
	for v, l := range logits {
		logits[v] = math.Exp(l - m)
		z += logits[v]
	}
	for v := range logits {
		logits[v] /= z
	}
	return logits
}

func (s *drlStrategy) sample(f []int) []int {
	vec := make([]int, len(s.dims))
	for c := range s.dims {
		p := s.probs(c, f)
		u := s.rng.Float64()
		vec[c] = len(p) - 1
		for v, pv := range p {
			if u -= pv; u < 0 {
				vec[c] = v
				break
			}
		}
	}
	return vec
}

func (s *drlStrategy) Next(b *Board) (int, bool) {
	f := s.features()
	arm := -1
	for range 50 { // rejection sampling keeps retired arms out
		if a := b.Index(s.sample(f)); b.Active(a) {
			arm = a
			break
		}
	}
	if arm < 0 {
		var ok bool
		if arm, ok = randomActive(b, s.rng, false); !ok {
			return 0, false
		}
	}
	s.pending[arm] = append(s.pending[arm], f)
	s.history = append([][]int{b.Vec(arm)}, s.history...)
	if len(s.history) > drlHistory {
		s.history = s.history[:drlHistory]
	}
	return arm, true
}

func (s *drlStrategy) Observe(b *Board, p *PullResult) {
	q := s.pending[p.ArmIndex]
	if len(q) == 0 {
		return
	}
	f := q[0]
	s.pending[p.ArmIndex] = q[1:]
	r := float64(drlFailReward)
	if p.OK() {
		var sum float64
		for bm, quality := range p.PerBenchmark {
			w := s.bench[bm]
			if w == nil {
				w = &welford{}
				s.bench[bm] = w
			}
			w.add(quality)
			sum += w.standardize(quality)
		}
		r = sum / float64(max(len(p.PerBenchmark), 1))
	}
	// Meta rewards are already in standardized units; the baseline is
	// their running mean.
	adv := r - s.rewards.mean
	s.rewards.add(r)
	vec := b.Vec(p.ArmIndex)
	for c := range s.dims {
		pr := s.probs(c, f)
		for v := range pr {
			g := -pr[v]
			if v == vec[c] {
				g++
			}
			// Every active feature moves by the same step: divide by their
			// number so that the logit moves by drlLR·adv·g at most.
			g *= drlLR * adv / float64(len(f))
			for _, fi := range f {
				s.w[c][fi][v] += g
			}
		}
	}
}

// weights serializes the meta-policy for the run store.
func (s *drlStrategy) weights() []byte {
	out, _ := json.Marshal(map[string]any{"kind": "supersonic/drl-meta-policy", "dims": s.dims, "history": drlHistory, "w": s.w})
	return out
}

// welford keeps a running mean and variance.
type welford struct {
	n       int
	mean, m float64
}

func (w *welford) add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m += d * (x - w.mean)
}

// standardize returns (x − mean)/spread under the values seen so far (x
// included, which bounds it by √(n−1)): 0 before two values, and a spread
// of at least 1e-3 + 1% of |mean| so that a near-constant benchmark does
// not blow the reward up.
func (w *welford) standardize(x float64) float64 {
	if w.n < 2 {
		return 0
	}
	sd := math.Max(math.Sqrt(w.m/float64(w.n-1)), 1e-3+1e-2*math.Abs(w.mean))
	return (x - w.mean) / sd
}
