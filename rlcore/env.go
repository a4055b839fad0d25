package rlcore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Env is a Gym-style environment. Actions are indices of a Discrete space.
//
// Reset starts an episode on the named benchmark; the empty name means the
// environment's default (environments without benchmarks, such as CartPole,
// ignore the name). Step applies one action. After a StepResult with
// Terminated or Truncated set, the caller must Reset before stepping again.
//
// An Env is not safe for concurrent use; parallel work uses one Env per
// goroutine.
type Env interface {
	ObservationSpace() Space
	ActionSpace() Discrete
	Reset(ctx context.Context, benchmark string) ([]float64, error)
	Step(ctx context.Context, action int) (StepResult, error)
}

// StepResult is what Env.Step returns.
type StepResult struct {
	Obs    []float64
	Reward float64
	// Terminated: the episode reached a terminal state of the task.
	Terminated bool
	// Truncated: the episode was cut short (horizon, time limit).
	Truncated bool
}

// Done reports whether the episode is over.
func (s StepResult) Done() bool { return s.Terminated || s.Truncated }

// Masker is implemented by environments whose valid actions depend on the
// state. ActionMask writes into dst (grown if needed) and returns it;
// mask[a] is true when action a is allowed.
type Masker interface {
	ActionMask(dst []bool) []bool
}

// Forker is implemented by environments that can copy their current state,
// for tree search (MCTS) and one-step look-ahead (greedy). The fork is
// independent of the original; closing it (if it implements io.Closer) does
// not affect the original.
type Forker interface {
	Fork(ctx context.Context) (Env, error)
}

// Scorer is implemented by environments with a task-level quality score of
// the current state that is comparable across reward functions — for code
// size, the fraction of -Oz's instruction reduction achieved (1.0 = -Oz).
// Recorders rank episodes by Quality when the env has one, by return
// otherwise.
type Scorer interface {
	Quality() float64
}

// ActionNamer is implemented by environments whose actions have names
// (LLVM passes, rewrite moves).
type ActionNamer interface {
	ActionName(a int) string
}

// Dims returns the dimension of env's observations and its number of
// actions — what a learner sizes its networks by — or an error when either
// is empty.
func Dims(env Env) (obsDim, nActions int, err error) {
	obsDim, nActions = env.ObservationSpace().Dim(), env.ActionSpace().N
	if obsDim < 1 {
		return 0, 0, fmt.Errorf("observation space %v has dimension %d; want at least 1", env.ObservationSpace(), obsDim)
	}
	if nActions < 1 {
		return 0, 0, fmt.Errorf("action space %v is empty", env.ActionSpace())
	}
	return obsDim, nActions, nil
}

// RandomAllowed returns an action drawn uniformly among those mask allows
// (a nil mask allows all n), or -1 when it allows none.
func RandomAllowed(rng *rand.Rand, mask []bool, n int) int {
	if mask == nil {
		return rng.IntN(n)
	}
	pick, seen := -1, 0
	for a, ok := range mask {
		if ok {
			seen++
			if rng.IntN(seen) == 0 {
				pick = a
			}
		}
	}
	return pick
}

// Argmax keeps the best of a stream of scored candidates. The first
// candidate offered is kept whatever its score; a later one is kept when
// it scores higher, and when it ties, each of the k candidates tied so
// far is kept with probability 1/k (ties broken uniformly at random), or
// the first of them when there is no rng.
type Argmax struct {
	Best  int     // the kept candidate, -1 before any was offered
	Score float64 // its score, -Inf before any
	rng   *rand.Rand
	ties  int
}

// NewArgmax returns an Argmax breaking ties with rng (nil: the first).
func NewArgmax(rng *rand.Rand) Argmax { return Argmax{Best: -1, Score: math.Inf(-1), rng: rng} }

// Offer considers candidate i with score s and reports whether it is now
// the kept one.
func (m *Argmax) Offer(i int, s float64) bool {
	switch {
	case m.Best < 0 || s > m.Score:
		m.Best, m.Score, m.ties = i, s, 1
		return true
	case s == m.Score && m.rng != nil:
		m.ties++
		if m.rng.IntN(m.ties) == 0 {
			m.Best = i
			return true
		}
	}
	return false
}
