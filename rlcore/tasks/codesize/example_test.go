package codesize_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// An agent's loop through rlcore: the codesize task's components composed
// into an environment, then the result checked and scored.
func Example() {
	ctx := context.Background()
	cache, err := os.MkdirTemp("", "codesize-example-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cache)
	p, err := codesize.Open(codesize.Options{CacheDir: cache})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	benches, err := p.Benchmarks(ctx, "testdata/suite/fib.c")
	if err != nil {
		log.Fatal(err)
	}

	env, err := rlcore.NewTaskEnv(p, rlcore.TaskEnvConfig{Arm: rlcore.Arm{
		State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "revert-if-worse"}})
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	if _, err := env.Reset(ctx, benches[0]); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"-sroa", "-instcombine", "-simplifycfg", "-inline", "-gvn"} {
		a, err := codesize.LookupPass(name)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := env.Step(ctx, a); err != nil { // "all" keeps the task's action order
			log.Fatal(err)
		}
	}
	// revert-if-worse may have rejected steps: the episode knows what it kept.
	ep := env.Episode().(*codesize.Episode)
	passes := ep.Passes()
	fmt.Println("fewer instructions than O0:", env.Quality() > 0)

	// Check the result: replay it from O0, build it and run it.
	v, err := p.Validate(ctx, benches[0], passes, ep.InstructionCount())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print("program output: ", v.Output)

	rep, err := codesize.Evaluate(ctx, p, map[string]codesize.Solution{benches[0]: {Passes: passes}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leaderboard score equals the env's quality:", rep.Geomean == env.Quality())
	// Output:
	// fewer instructions than O0: true
	// program output: 219600
	// leaderboard score equals the env's quality: true
}
