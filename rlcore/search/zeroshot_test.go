package search

import (
	"context"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// coresetArm is the arm of the stored zero-shot policy in testdata: the
// client RL that supersonic eval's searches pick on the coreset space.
var coresetArm = rlcore.Arm{Algorithm: "ppo", State: "autophase", Reward: "ic-oz", Actions: "coreset", Transition: "apply"}

// zeroShotPolicy is the policy file that tests and BenchmarkZeroShot
// apply (coresetPolicy).
var zeroShotPolicy = flag.String("zeroshot.policy", "testdata/zeroshot-coreset-ppo.policy", "weights of a policy of the arm ppo · autophase · ic-oz · coreset · apply (sqlite3 supersonic.db \"select writefile('p.bin', weights) from policies where id=ID\")")

// coresetPolicy reads the -zeroshot.policy file, by default
// testdata/zeroshot-coreset-ppo.policy: policy 8 of the 3-minute training
// across programs of notebooks/results/eval-codesize-explore-60s-s6.md
// (PPO, autophase, coreset), the policy whose zero-shot column that run
// shows.
func coresetPolicy(tb testing.TB) rlcore.Policy {
	data, err := os.ReadFile(*zeroShotPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	pol, err := DecodePolicy(data)
	if err != nil {
		tb.Fatal(err)
	}
	return pol
}

// validationCounter is the code-size problem counting how zero-shot
// deployments validate, and cancelling a context when the given episode
// starts (cancelAt, counting from 1).
type validationCounter struct {
	*codesize.Problem
	saved, replayed, episodes, cancelAt int
	cancel                              context.CancelFunc
}

func (c *validationCounter) NewEpisode(ctx context.Context, bench string) (rlcore.Episode, error) {
	if c.episodes++; c.episodes == c.cancelAt {
		c.cancel()
	}
	return c.Problem.NewEpisode(ctx, bench)
}

func (c *validationCounter) ValidateSavedState(ctx context.Context, bench string, state []byte, actions []int, quality float64) error {
	c.saved++
	return c.Problem.ValidateSavedState(ctx, bench, state, actions, quality)
}

func (c *validationCounter) ValidateActions(ctx context.Context, bench string, actions []int) error {
	c.replayed++
	return c.Problem.ValidateActions(ctx, bench, actions)
}

// A zero-shot deployment validates the state its best rollout saved
// instead of replaying the best's actions twice (a replay, then the
// validation's own), and its result is the replayed one's: the same
// quality, actions and validated passes, on every seed. A deployment whose
// context ends after the greedy rollout keeps and validates that rollout's
// best, as a greedy-only deployment does.
func TestZeroShotValidatesTheSavedState(t *testing.T) {
	if testing.Short() {
		t.Skip("zero-shot on libLLVM: skipped with -short")
	}
	ctx := context.Background()
	p, err := codesize.Open(codesize.Options{IdleWorkers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pol := coresetPolicy(t)
	const horizon = 8
	for _, tc := range []struct {
		bench string
		seed  int64
	}{
		{"builtin:bwt", 1},
		{"builtin:dct", 2},
		{"builtin:crc32", 3},
	} {
		t.Run(tc.bench, func(t *testing.T) {
			pc := &validationCounter{Problem: p}
			replayed := (&deployer{problem: pc, horizon: horizon, replayBest: true}).zeroShot(ctx, coresetArm, pol, tc.bench, DefaultZeroShotSamples, tc.seed)
			if pc.saved != 0 || pc.replayed != 1 {
				t.Fatalf("replaying: %d saved-state and %d replay validations, want 0 and 1", pc.saved, pc.replayed)
			}
			pc = &validationCounter{Problem: p}
			saved := (&deployer{problem: pc, horizon: horizon}).zeroShot(ctx, coresetArm, pol, tc.bench, DefaultZeroShotSamples, tc.seed)
			if pc.saved != 1 || pc.replayed != 0 {
				t.Fatalf("saving states: %d saved-state and %d replay validations, want 1 and 0", pc.saved, pc.replayed)
			}
			for _, dep := range []Deployment{replayed, saved} {
				if dep.Err != nil || !dep.Validated || len(dep.TaskActions) == 0 {
					t.Fatalf("zero-shot: err %v, validated %v, passes %v", dep.Err, dep.Validated, dep.ActionNames)
				}
			}
			if saved.Quality != replayed.Quality || !slices.Equal(saved.Actions, replayed.Actions) ||
				!slices.Equal(saved.TaskActions, replayed.TaskActions) || !slices.Equal(saved.ActionNames, replayed.ActionNames) {
				t.Errorf("validating the saved state: quality %v, actions %v, passes %v; replaying: %v, %v, %v",
					saved.Quality, saved.Actions, saved.ActionNames, replayed.Quality, replayed.Actions, replayed.ActionNames)
			}

			greedy := (&deployer{problem: p, horizon: horizon}).zeroShot(ctx, coresetArm, pol, tc.bench, 0, tc.seed)
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			pc = &validationCounter{Problem: p, cancelAt: 2, cancel: cancel}
			cut := (&deployer{problem: pc, horizon: horizon}).zeroShot(cctx, coresetArm, pol, tc.bench, DefaultZeroShotSamples, tc.seed)
			if cut.Err != nil || !cut.Validated || pc.saved != 1 || cut.Quality != greedy.Quality || !slices.Equal(cut.TaskActions, greedy.TaskActions) {
				t.Errorf("cancelled after the greedy rollout: quality %v, passes %v, err %v, %d saved-state validations; the greedy rollout alone: %v, %v",
					cut.Quality, cut.ActionNames, cut.Err, pc.saved, greedy.Quality, greedy.ActionNames)
			}
		})
	}
}

// A rollout ends after rolloutPatience steps in a row that left the
// observation unchanged, not before, and a change starts the count again.
func TestRolloutStall(t *testing.T) {
	same, changed := true, false
	for _, tc := range []struct {
		name  string
		steps []bool
		want  int // the step (1-based) that ends the rollout, 0: none
	}{
		{"no step", nil, 0},
		{"changes only", []bool{changed, changed, changed, changed, changed, changed}, 0},
		{"patience reached", []bool{changed, same, same, same, same, same, changed}, 6},
		{"one short", []bool{same, same, same, same, changed, same, same, same, same}, 0},
		{"after a change", []bool{same, same, changed, same, same, same, same, same}, 8},
	} {
		var s stall
		got := 0
		for i, st := range tc.steps {
			if s.stop(st) {
				got = i + 1
				break
			}
		}
		if got != tc.want {
			t.Errorf("%s: the rollout ended at step %d, want %d (patience %d)", tc.name, got, tc.want, rolloutPatience)
		}
	}
}
