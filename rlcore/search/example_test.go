package search_test

import (
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore/search"
)

func ExampleParseSpec() {
	spec, err := search.ParseSpec("cs", `
task: codesize
benchmarks: builtin:* ; folds: 3   # the paper's 3-fold cross-validation
states: autophase, instcount-norm+action-history(8)
rewards: ic-oz, quality
algorithms: ppo(lr=3e-4), a2c, reinforce
pull: 20s
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	arms := spec.Arms()
	fmt.Println(len(arms), "arms; the first:", arms[0])
	fmt.Println("pull budget:", spec.PullBudget, "fold", spec.Fold, "of", spec.Folds)
	// Output:
	// 12 arms; the first: ppo(lr=0.0003) · autophase · ic-oz · all · apply
	// pull budget: 20s fold 0 of 3
}
