package rlcore

import (
	"context"
	"testing"
)

// maskedChain lasts three steps, pays the action taken and allows only
// action 1 of 3.
type maskedChain struct {
	t      int
	closed *int
}

func (e *maskedChain) ObservationSpace() Space { return NewBox(1, 0, 3) }
func (e *maskedChain) ActionSpace() Discrete   { return Discrete{N: 3} }
func (e *maskedChain) Reset(context.Context, string) ([]float64, error) {
	e.t = 0
	return []float64{0}, nil
}
func (e *maskedChain) Step(_ context.Context, a int) (StepResult, error) {
	e.t++
	return StepResult{Obs: []float64{float64(e.t)}, Reward: float64(a), Terminated: e.t == 3}, nil
}
func (e *maskedChain) ActionMask(dst []bool) []bool { return append(dst[:0], false, true, false) }
func (e *maskedChain) Close() error                 { *e.closed++; return nil }

// firstAllowed is a policy that takes the first action the mask allows
// (action 2 without a mask).
type firstAllowed struct{}

func (firstAllowed) Act(_ []float64, mask []bool) int {
	for a, ok := range mask {
		if ok {
			return a
		}
	}
	return 2
}
func (firstAllowed) MarshalBinary() ([]byte, error) { return nil, nil }

func TestEvaluate(t *testing.T) {
	closed := 0
	mean, err := Evaluate(context.Background(), func(int) Env { return &maskedChain{closed: &closed} }, firstAllowed{}, 4)
	if err != nil || mean != 3 {
		t.Errorf("Evaluate = %v, %v; want 3 (three steps of the only allowed action 1)", mean, err)
	}
	if closed != 4 {
		t.Errorf("%d envs closed, want 4", closed)
	}
	if _, err := Evaluate(context.Background(), func(int) Env { return &maskedChain{closed: &closed} }, firstAllowed{}, 0); err == nil {
		t.Error("Evaluate with 0 episodes succeeded")
	}
}
