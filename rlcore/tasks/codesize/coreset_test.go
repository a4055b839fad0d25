package codesize

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/baselines"
	"github.com/supersonic-rl/supersonic/rlcore/eval"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/benchmarks"
)

var regenCoreset = flag.Bool("coreset.regen", false, "run greedy on the built-in programs left for training and print coresetSequences")

// TestCoresetSequences checks that every coreset sequence is an agent
// action of the "coreset" action space; with -coreset.regen it recomputes
// them.
func TestCoresetSequences(t *testing.T) {
	env, err := rlcore.NewTaskEnv(shared, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "autophase", Actions: "coreset"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := env.ActionSpace().N; n != len(coresetSequences) {
		t.Fatalf("the coreset action space has %d actions, want one per sequence (%d)", n, len(coresetSequences))
	}
	for a, seq := range coresetSequences {
		if got := env.ActionName(a); got != strings.Join(seq, " ") {
			t.Errorf("coreset action %d is %q, want %q", a, got, strings.Join(seq, " "))
		}
	}
	// coreset-oz: the same sequences, then each -Oz pass alone.
	both, err := rlcore.NewTaskEnv(shared, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "autophase", Actions: "coreset-oz"}})
	if err != nil {
		t.Fatal(err)
	}
	defer both.Close()
	oz := ozSubset()
	if n := both.ActionSpace().N; n != len(coresetSequences)+len(oz) {
		t.Fatalf("coreset-oz has %d actions, want %d sequences + %d passes", n, len(coresetSequences), len(oz))
	}
	for a := range both.ActionSpace().N {
		want := env.TaskActions(min(a, len(coresetSequences)-1))
		if a >= len(coresetSequences) {
			want = []int{oz[a-len(coresetSequences)]}
		}
		if got := both.TaskActions(a); !slices.Equal(got, want) {
			t.Errorf("coreset-oz action %d applies %v, want %v", a, got, want)
		}
	}
	if !*regenCoreset {
		return
	}
	ctx := context.Background()
	hyper, err := baselines.Greedy.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	seen := map[string]bool{}
	for _, name := range benchmarks.Names() {
		b := "builtin:" + name
		if eval.IsHeldOut(b) || slices.Contains(eval.ValidationFold, b) {
			continue
		}
		genv, err := rlcore.NewTaskEnv(shared, rlcore.TaskEnvConfig{Arm: rlcore.Arm{State: "instcount", Reward: "ic", Actions: "all", Transition: "apply"}, Horizon: 45})
		if err != nil {
			t.Fatal(err)
		}
		res, err := baselines.Greedy.Train(ctx, genv.Env(), rlcore.TrainConfig{Hyper: hyper, Benchmarks: []string{b}, Seed: 1})
		genv.Close()
		if err != nil {
			t.Fatalf("greedy on %s: %v", b, err)
		}
		best, ok := res.PerBenchmark[b]
		if !ok || len(best.Actions) < 2 {
			t.Logf("%s: no sequence of two passes or more (%+v)", b, best)
			continue
		}
		names := make([]string, len(best.Actions))
		for i, a := range best.Actions {
			names[i] = fmt.Sprintf("%q", Passes[a].Name)
		}
		key := strings.Join(names, ", ")
		if seen[key] {
			continue
		}
		seen[key] = true
		fmt.Fprintf(&out, "\t{%s}, // %s: %.4f of -Oz\n", key, b, best.Quality)
	}
	fmt.Print(out.String())
}
