package rlcore

import (
	"context"
	"strings"
	"testing"
)

// noForkEnv is an Env that cannot copy its state.
type noForkEnv struct{}

func (noForkEnv) ObservationSpace() Space { return Box{Low: []float64{0}, High: []float64{1}} }
func (noForkEnv) ActionSpace() Discrete   { return Discrete{N: 2} }
func (noForkEnv) Reset(context.Context, string) ([]float64, error) {
	return []float64{0}, nil
}
func (noForkEnv) Step(context.Context, int) (StepResult, error) { return StepResult{}, nil }

// Issue 11: NeedsFork was declared (mcts) and never checked.
func TestCheckEnvNeedsFork(t *testing.T) {
	tree := &Algorithm{Name: "tree", NeedsFork: true}
	if err := tree.CheckEnv(noForkEnv{}); err == nil || !strings.Contains(err.Error(), "needs an env that can fork") {
		t.Errorf("CheckEnv of a tree search on an env without Fork = %v", err)
	}
	if err := (&Algorithm{Name: "flat"}).CheckEnv(noForkEnv{}); err != nil {
		t.Errorf("CheckEnv of an algorithm that does not fork = %v", err)
	}
}
