package search

import (
	"math"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// ArmStats is an arm's tally on the leaderboard.
type ArmStats struct {
	Index    int
	Arm      rlcore.Arm
	Name     string
	Pulls    int // successful pulls
	Failures int
	// FailedEpisodes counts the failed episodes of all the arm's pulls,
	// successful ones included; FirstEpisodeError is the first of them.
	FailedEpisodes    int
	FirstEpisodeError string
	// Steps counts the environment steps of the pulls counted in Pulls
	// and Failures. Cut counts the pulls cut short by Stop or the budget
	// (stored, but neither scored nor counted in Pulls) and CutSteps
	// their steps, so that every step is in one of the two.
	Steps         int
	Cut, CutSteps int
	InFlight      int
	// Mean and Best are over successful pulls' scores; NaN before the
	// first one.
	Mean, Best float64
	// Std is the sample standard deviation of the scores (0 under 2 pulls).
	Std     float64
	Retired bool // failed too often; strategies no longer choose it
	// Pruned: the strategy stopped choosing it (bandit elimination).
	Pruned        bool
	BestBenchmark string
	BestActions   []int // best action sequence of the best pull
	sum, sumSq    float64
}

func (a *ArmStats) add(score float64) {
	a.Pulls++
	a.sum += score
	a.sumSq += score * score
	a.Mean = a.sum / float64(a.Pulls)
	if math.IsNaN(a.Best) || score > a.Best {
		a.Best = score
	}
	if a.Pulls > 1 {
		v := (a.sumSq - a.sum*a.sum/float64(a.Pulls)) / float64(a.Pulls-1)
		a.Std = math.Sqrt(math.Max(v, 0))
	}
}

// Board is the leaderboard of a search: the arm space and every arm's
// tally. Strategies read it to choose the next arm (and may mark arms
// Pruned); only the search goroutine touches it, so strategies need no
// locking.
type Board struct {
	Arms []ArmStats
	// Dims is the number of choices per component (algorithm, state,
	// reward, actions, transition); an arm is a vector of component
	// indices, see Vec and Index.
	Dims []int
	// Pulls counts finished successful pulls, Started every pull started.
	Pulls, Started int
	// MinPulls is the number of pulls an arm needs to be declared winner
	// (fewer when no arm has that many).
	MinPulls int
}

func newBoard(arms []rlcore.Arm, dims []int, minPulls int) *Board {
	b := &Board{Dims: dims, MinPulls: minPulls}
	for i, a := range arms {
		b.Arms = append(b.Arms, ArmStats{Index: i, Arm: a, Name: a.String(), Mean: math.NaN(), Best: math.NaN()})
	}
	return b
}

// Vec returns arm i as a vector of component indices.
func (b *Board) Vec(i int) []int {
	return rlcore.MultiDiscrete{Nvec: b.Dims}.Unflatten(i)
}

// Index is the inverse of Vec.
func (b *Board) Index(v []int) int { return rlcore.MultiDiscrete{Nvec: b.Dims}.Flatten(v) }

// Active reports whether arm i may still be chosen.
func (b *Board) Active(i int) bool { return !b.Arms[i].Retired }

// ActiveArms lists the arms that may still be chosen.
func (b *Board) ActiveArms() []int {
	var out []int
	for i := range b.Arms {
		if b.Active(i) {
			out = append(out, i)
		}
	}
	return out
}

// Scale is a typical spread of scores: the pooled within-arm standard
// deviation, else the standard deviation of the arm means, else 1e-3. It
// makes exploration bonuses and temperatures independent of the task's
// score units.
func (b *Board) Scale() float64 {
	var ss float64
	var df int
	var means []float64
	for _, a := range b.Arms {
		if a.Pulls > 1 {
			ss += a.Std * a.Std * float64(a.Pulls-1)
			df += a.Pulls - 1
		}
		if a.Pulls > 0 {
			means = append(means, a.Mean)
		}
	}
	if df > 0 && ss > 0 {
		return math.Sqrt(ss / float64(df))
	}
	if sd := stddev(means); sd > 0 {
		return sd
	}
	return 1e-3
}

// Winner returns the index of the best arm: the highest mean score among
// arms with at least MinPulls successful pulls (or, when no arm has that
// many, with the most pulls any arm has); ties go to the arm with more
// pulls. It returns -1 before the first successful pull.
func (b *Board) Winner() int {
	maxPulls := 0
	for _, a := range b.Arms {
		maxPulls = max(maxPulls, a.Pulls)
	}
	if maxPulls == 0 {
		return -1
	}
	need := min(max(b.MinPulls, 1), maxPulls)
	best := -1
	for i, a := range b.Arms {
		if a.Pulls < need {
			continue
		}
		if best < 0 || a.Mean > b.Arms[best].Mean || (a.Mean == b.Arms[best].Mean && a.Pulls > b.Arms[best].Pulls) {
			best = i
		}
	}
	return best
}

func stddev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}
