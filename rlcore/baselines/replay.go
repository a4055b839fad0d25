// Package baselines holds the classic search baselines that comparisons
// need, as rlcore Algorithms of Kind Searcher over action sequences on any
// Env: "random" (CompilerGym-style random search), "greedy" (one-step
// look-ahead), "anneal" (simulated annealing) and "genetic" (a genetic
// algorithm).
//
// Every candidate sequence is played through the run's rlcore.Recorder
// (Reset, then Step each action), so budgets, cancellation, failure
// tolerance and events behave as for the learners, and the best sequence
// found is the Recorder's Best (by Quality when the env is an
// rlcore.Scorer, by return otherwise). A sequence that stops before the
// env ends the episode is closed with Recorder.EndEpisode and counts as
// one episode.
//
// The score a search optimises is the one the Recorder ranks by: the best
// Quality reached along the sequence for a Scorer env, the return
// otherwise. With several benchmarks, anneal and genetic (and greedy on an
// env that cannot fork) search one sequence for all of them: a candidate
// is played once on each benchmark and scored by the mean.
package baselines

import (
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// player plays action sequences through a Recorder.
type player struct {
	rec      *rlcore.Recorder
	rng      *rand.Rand
	nActions int
	scorer   rlcore.Scorer
	benches  int // benchmarks per evaluation (≥ 1)
	mask     []bool
}

func newPlayer(rec *rlcore.Recorder, cfg rlcore.TrainConfig, stream uint64) *player {
	p := &player{
		rec:      rec,
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), stream)),
		nActions: rec.Env().ActionSpace().N,
		benches:  max(1, len(cfg.Benchmarks)),
	}
	p.scorer, _ = rec.Env().(rlcore.Scorer)
	return p
}

// outcome is what playing a sequence on every benchmark gave.
type outcome struct {
	score      float64 // mean over benchmarks; -Inf when a benchmark failed
	lastReward float64 // mean reward of the sequence's last action
	played     int     // most actions played on any benchmark
	ended      bool    // the env ended the episode before the last action on some benchmark
	done       bool    // the env ended the episode (at the last action or before) on some benchmark
}

// play resets on each benchmark of the rotation and steps seq, replacing
// actions the env's mask forbids by random allowed ones (in seq itself).
// It returns false when the run stopped before the evaluation finished.
func (p *player) play(seq []int) (outcome, bool) {
	var out outcome
	for range p.benches {
		score, last, played, done, ok := p.playOnce(seq)
		if !ok {
			return out, false
		}
		ended := done && played < len(seq)
		out.score += score
		out.lastReward += last
		out.played = max(out.played, played)
		out.ended = out.ended || ended
		out.done = out.done || done
	}
	out.score /= float64(p.benches)
	out.lastReward /= float64(p.benches)
	return out, true
}

// playOnce plays seq on the next benchmark. done says the env ended the
// episode; ok is false when the run stopped.
func (p *player) playOnce(seq []int) (score, last float64, played int, done, ok bool) {
	failed := math.Inf(-1)
	if p.rec.Stopped() {
		return 0, 0, 0, false, false
	}
	if _, err := p.rec.Reset(); err != nil {
		return failed, failed, 0, false, !p.rec.Stopped()
	}
	ret, best := 0.0, math.Inf(-1)
	if p.scorer != nil {
		best = p.scorer.Quality()
	}
	for i := range seq {
		a := p.allowed(seq[i])
		if a < 0 {
			break // no action allowed: the sequence ends here
		}
		seq[i] = a
		sr, err := p.rec.Step(a)
		if err != nil {
			return failed, failed, i, false, !p.rec.Stopped()
		}
		ret += sr.Reward
		last, played = sr.Reward, i+1
		if p.scorer != nil {
			best = math.Max(best, p.scorer.Quality())
		}
		if sr.Done() {
			done = true
			break
		}
	}
	p.rec.EndEpisode()
	if p.scorer != nil {
		return best, last, played, done, true
	}
	return ret, last, played, done, true
}

// playEpisode plays the episode Reset began: it steps the actions next
// picks until next picks none (-1), the env ends the episode or horizon
// actions were played, and then ends the episode with EndEpisode. next
// returns false when the run stopped while it chose; then, or when a step
// fails, the episode is left as it is.
func (p *player) playEpisode(horizon int, next func() (a int, ok bool)) {
	for range horizon {
		a, ok := next()
		if !ok {
			return
		}
		if a < 0 {
			break
		}
		sr, err := p.rec.Step(a)
		if err != nil {
			return
		}
		if sr.Done() {
			break
		}
	}
	p.rec.EndEpisode()
}

// allowed returns a if the current state allows it, else a random allowed
// action, or -1 when nothing is allowed.
func (p *player) allowed(a int) int {
	p.mask = p.rec.Mask(p.mask)
	if p.mask == nil || (a < len(p.mask) && p.mask[a]) {
		return a
	}
	return rlcore.RandomAllowed(p.rng, p.mask, p.nActions)
}

// randomAction draws an action uniformly among those the current state
// allows, or returns -1 when none is.
func (p *player) randomAction() int {
	p.mask = p.rec.Mask(p.mask)
	return rlcore.RandomAllowed(p.rng, p.mask, p.nActions)
}

// randomSequence draws n actions uniformly (masks are applied when the
// sequence is played).
func (p *player) randomSequence(n int) []int {
	seq := make([]int, n)
	for i := range seq {
		seq[i] = p.rng.IntN(p.nActions)
	}
	return seq
}

// otherAction draws an action different from a when there is one.
func (p *player) otherAction(a int) int {
	if p.nActions < 2 {
		return a
	}
	b := p.rng.IntN(p.nActions - 1)
	if b >= a {
		b++
	}
	return b
}
