package all

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// TestEverythingRegistered checks that the components the notebooks and the
// paper's case studies name are all available after importing the package.
func TestEverythingRegistered(t *testing.T) {
	want := map[rlcore.Kind][]string{
		rlcore.KindTask:       {"codesize", "superopt", "tensor", "halide"},
		rlcore.KindAlgorithm:  {"ppo", "a2c", "reinforce", "dqn", "qlearning", "mcts", "ucb1", "thompson", "random", "greedy", "anneal", "genetic", "costmodel", "grid", "model-ppo"},
		rlcore.KindState:      {"action-history", "autophase", "instcount", "instcount-norm"},
		rlcore.KindReward:     {"quality-delta", "ic-oz", "ic", "textsize-oz"},
		rlcore.KindTransition: {"apply", "revert-if-worse", "replay-from-scratch", "apply-mask-unchanged"},
		rlcore.KindActions:    {"all"},
	}
	for kind, names := range want {
		have := make(map[string]bool)
		for _, info := range rlcore.List(kind, "") {
			have[info.Name] = true
			if info.Doc == "" {
				t.Errorf("%s %s has no doc line", kind, info.Name)
			}
		}
		for _, n := range names {
			if !have[n] {
				t.Errorf("%s %q is not registered", kind, n)
			}
		}
	}
}
