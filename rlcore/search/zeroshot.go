package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/nn"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/tabular"
)

// ZeroShotMethod names the zero-shot deployment of a policy trained across
// programs (Train) in a comparison.
const ZeroShotMethod = "zero-shot"

// DefaultZeroShotSamples is the number of sampled rollouts a zero-shot
// deployment adds to the greedy one.
const DefaultZeroShotSamples = 3

// DecodePolicy reads trained weights in either format the learners write:
// a Q-table (package tabular) or a network (package nn).
func DecodePolicy(data []byte) (rlcore.Policy, error) {
	t := &tabular.Table{}
	if t.UnmarshalBinary(data) == nil {
		return t, nil
	}
	p := &nn.Policy{}
	if err := p.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return p, nil
}

// rolloutPatience ends a rollout after that many steps in a row that left
// the observation unchanged. Measured on the 12 programs of eval.HeldOut
// with three policies trained across programs (coreset actions, horizon 20,
// greedy + 3 sampled rollouts, seed 1): 5 took 20–33% less time than
// rollouts over the whole horizon at the same geomean quality (+0.10%,
// −0.02%, −0.01%); 3 took 54–70% less but lost 0.2–0.3%
// (notebooks/results/bench-zeroshot-time.md).
const rolloutPatience = 5

// stall counts a rollout's steps in a row that left the observation
// unchanged.
type stall int

// stop counts one step (same: it left the observation unchanged) and
// reports whether the rollout ends there: after rolloutPatience such steps
// in a row.
func (s *stall) stop(same bool) bool {
	if !same {
		*s = 0
		return false
	}
	*s++
	return *s >= rolloutPatience
}

// zeroShot applies pol to bench without training: one greedy rollout and
// samples rollouts drawn from the policy (seeded), each over the horizon,
// keeping the best prefix of each; the best of all is validated like a
// trained deployment's: on the state the rollout saved when it reached it
// (rlcore.StateSaver), so that its actions are not applied again, or,
// when the task cannot save states, replayed on a fresh env. It never
// panics.
func (d *deployer) zeroShot(ctx context.Context, arm rlcore.Arm, pol rlcore.Policy, bench string, samples int, seed int64) (dep Deployment) {
	dep = Deployment{Benchmark: bench, Arm: arm, Quality: math.NaN()}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			dep.Err = fmt.Errorf("zero-shot %s on %s panicked: %v", arm, bench, r)
		}
		dep.Walltime = time.Since(start)
	}()
	env, err := rlcore.NewTaskEnv(d.problem, rlcore.TaskEnvConfig{Arm: arm, Horizon: d.horizon})
	if err != nil {
		dep.Err = fmt.Errorf("arm %s: %w", arm, err)
		return dep
	}
	defer env.Close()
	var saved *savedBest
	if _, ok := d.problem.(rlcore.SavedStateValidator); ok && !d.replayBest {
		saved = &savedBest{quality: math.Inf(-1)}
	}
	best, err := bestRollout(ctx, env, pol, bench, samples, seed, d.temperature, start, saved)
	if err != nil {
		dep.Err = fmt.Errorf("zero-shot on %s: %w", bench, err)
		return dep
	}
	dep.Quality, dep.Actions, dep.Found = best.Quality, best.Actions, best.Found
	env.Close() // gives its worker back for the validation: no worker process starts
	if saved.of(best) {
		dep.TaskActions, dep.ActionNames, dep.Err = d.validateSaved(context.WithoutCancel(ctx), bench, best, saved)
	} else {
		dep.TaskActions, dep.ActionNames, dep.Err = d.replay(context.WithoutCancel(ctx), arm, bench, best)
	}
	dep.Validated = dep.Err == nil
	return dep
}

// savedBest is the saved state (rlcore.StateSaver) of the best prefix of
// any rollout so far, kept so that the best can be validated without
// applying its actions again (validateSaved).
type savedBest struct {
	quality float64 // of the best prefix so far, saved or not
	state   []byte  // nil when saving it failed
	actions []int   // the prefix's agent actions
	applied []int   // the task actions they applied
}

// save saves env's current state, the prefix actions of a rollout that
// reached quality q above every earlier prefix. A failure to save leaves
// no state: the best is then replayed.
func (s *savedBest) save(ctx context.Context, env *rlcore.TaskEnv, q float64, actions []int) {
	s.quality, s.state = q, nil
	saver, ok := env.Episode().(rlcore.StateSaver)
	if !ok {
		return
	}
	state, err := saver.SaveState(ctx)
	if err != nil {
		return
	}
	s.state, s.actions, s.applied = state, slices.Clone(actions), slices.Clone(env.History())
}

// of reports whether s holds the state of rec's best prefix.
func (s *savedBest) of(rec rlcore.EpisodeRecord) bool {
	return s != nil && s.state != nil && s.quality == rec.Quality && slices.Equal(s.actions, rec.Actions)
}

// validateSaved validates best on its saved state (the problem is a
// rlcore.SavedStateValidator) and returns the task actions it applied
// and their names, as replay does.
func (d *deployer) validateSaved(ctx context.Context, bench string, best rlcore.EpisodeRecord, saved *savedBest) ([]int, []string, error) {
	all := d.problem.Actions()
	names := make([]string, len(saved.applied))
	for i, a := range saved.applied {
		names[i] = all[a]
	}
	if err := d.problem.(rlcore.SavedStateValidator).ValidateSavedState(ctx, bench, saved.state, saved.applied, best.Quality); err != nil {
		return saved.applied, names, fmt.Errorf("validation by task %s: %w", d.problem.Task(), err)
	}
	return saved.applied, names, nil
}

// bestRollout runs one greedy rollout of pol on bench and samples sampled
// ones (seeded, at temperature: see rollout), and returns the best prefix of all, its Found the time
// since start when it was reached; a rollout cut by ctx's end counts with
// the prefix it had reached. With saved non-nil, the state of every prefix
// better than all before it is saved there (the last one saved is the
// best's unless that rollout failed: savedBest.of says). It fails only
// when no rollout reached any quality.
func bestRollout(ctx context.Context, env *rlcore.TaskEnv, pol rlcore.Policy, bench string, samples int, seed int64, temperature float64, start time.Time, saved *savedBest) (rlcore.EpisodeRecord, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x2e50))
	best := rlcore.EpisodeRecord{Benchmark: bench, Quality: math.Inf(-1)}
	var errs []error
	for i := range samples + 1 {
		var r *rand.Rand
		if i > 0 {
			r = rng
		}
		rec, err := rollout(ctx, env, pol, bench, r, temperature, saved)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() == nil {
				continue
			}
			// Cut by the deadline: the prefix it had reached counts.
			if len(rec.Actions) > 0 && rec.Quality > best.Quality {
				rec.Found = time.Since(start)
				best = rec
			}
			break
		}
		if rec.Quality > best.Quality {
			rec.Found = time.Since(start)
			best = rec
		}
	}
	if math.IsInf(best.Quality, -1) {
		return best, fmt.Errorf("no rollout finished: %w", errors.Join(errs...))
	}
	return best, nil
}

// rollout runs pol on a fresh episode of bench for the env's horizon and
// returns its best prefix (by quality). With rng nil it acts greedily;
// otherwise it samples: from the softmax of a network policy's outputs
// divided by temperature (0 or 1: as they are; above 1 flatter), or, for other policies, greedily with a random allowed action one step
// in ten. An action that left the observation unchanged is not taken again
// until the observation changes: in the same state a greedy policy would
// choose it again and loop. The rollout ends when every action is ruled
// out, or after rolloutPatience steps in a row that left the observation
// unchanged. With saved non-nil, a prefix better than saved's is saved
// there.
func rollout(ctx context.Context, env *rlcore.TaskEnv, pol rlcore.Policy, bench string, rng *rand.Rand, temperature float64, saved *savedBest) (rlcore.EpisodeRecord, error) {
	rec := rlcore.EpisodeRecord{Benchmark: bench}
	obs, err := env.Reset(ctx, bench)
	if err != nil {
		return rec, err
	}
	rec.Quality = env.Quality()
	masker, _ := env.Env().(rlcore.Masker)
	n := env.ActionSpace().N
	var envMask []bool
	mask := make([]bool, n)
	unchanged := make([]bool, n) // actions that left the current observation as it was
	var logp []float64
	netPol, isNet := pol.(*nn.Policy)
	var actions []int
	var prev []float64
	var stalled stall
	for {
		if err := ctx.Err(); err != nil {
			return rec, err
		}
		if masker != nil {
			envMask = masker.ActionMask(envMask)
		}
		allowed := false
		for a := range mask {
			mask[a] = !unchanged[a] && (envMask == nil || envMask[a])
			allowed = allowed || mask[a]
		}
		if !allowed {
			return rec, nil
		}
		var a int
		switch {
		case rng == nil:
			a = pol.Act(obs, mask)
		case isNet:
			logits := netPol.Logits(obs)
			if temperature > 0 && temperature != 1 {
				for i := range logits {
					logits[i] /= temperature
				}
			}
			nn.MaskLogits(logits, mask)
			logp = nn.LogSoftmax(logp, logits)
			a = nn.Sample(rng, logp)
		case rng.IntN(10) == 0:
			a = rlcore.RandomAllowed(rng, mask, n)
		default:
			a = pol.Act(obs, mask)
		}
		if a < 0 || a >= n || !mask[a] {
			return rec, nil
		}
		prev = append(prev[:0], obs...) // the env may reuse its observation buffer
		sr, err := env.Step(ctx, a)
		if err != nil {
			return rec, err
		}
		actions = append(actions, a)
		if q := env.Quality(); q > rec.Quality {
			rec.Quality, rec.Actions = q, append([]int(nil), actions...)
			if saved != nil && q > saved.quality {
				saved.save(ctx, env, q, actions)
			}
		}
		if sr.Done() {
			return rec, nil
		}
		same := slices.Equal(sr.Obs, prev)
		if same {
			unchanged[a] = true
		} else {
			clear(unchanged)
		}
		if stalled.stop(same) {
			return rec, nil
		}
		obs = sr.Obs
	}
}

// trainedPolicy finds the policy a zero-shot deployment of the phase's arm
// applies: the best-scored policy of the newest training run across
// programs (Train) of the search run. ok is false when there is none.
func (ph *phase) trainedPolicy(ctx context.Context) (p store.Policy, trainRun int64, ok bool, err error) {
	if ph.run.ID == 0 || ph.sess.st == nil {
		return p, 0, false, nil
	}
	runs, err := ph.sess.st.Runs(ctx, store.KindTrain, 0)
	if err != nil {
		return p, 0, false, err
	}
	for _, r := range runs {
		if r.Parent != ph.run.ID {
			continue
		}
		p, err := ph.sess.st.BestPolicy(ctx, r.ID, ph.arm.String())
		if errors.Is(err, store.ErrNoPolicy) {
			continue
		}
		return p, r.ID, err == nil, err
	}
	return p, 0, false, nil
}

// zeroShotWeights picks the policy a zero-shot deployment applies: stored
// policy id when non-zero, else the trained one (learnedPolicy), else the
// weights a trained deployment would warm-start from (said so).
// Algorithms without weights are an error.
func (ph *phase) zeroShotWeights(ctx context.Context, id int64) (startWeights, error) {
	if !ph.algorithm.WarmStart {
		return startWeights{}, fmt.Errorf("zero-shot needs a trained policy, and %s keeps no weights (learners that do: %s)", ph.algorithm.Name, strings.Join(rlcore.WarmStartable(), ", "))
	}
	if w, ok, err := ph.learnedPolicy(ctx, id); err != nil || ok {
		w.what = "zero-shot with " + w.what
		return w, err
	}
	w, err := ph.warmStart(ctx, false, false)
	if err != nil {
		return w, err
	}
	if w.ID == 0 {
		return w, fmt.Errorf("zero-shot needs a trained policy: search run %d has no training run across programs (%%train) and %s", ph.run.ID, w.what)
	}
	w.what = "zero-shot with the search's policy, no %train run yet: " + w.what
	return w, nil
}
