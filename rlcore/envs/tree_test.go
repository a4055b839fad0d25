package envs

import (
	"context"
	"testing"
)

// allPaths enumerates every root-to-leaf action sequence.
func allPaths(depth, branching int) [][]int {
	paths := [][]int{nil}
	for range depth {
		var next [][]int
		for _, p := range paths {
			for a := range branching {
				next = append(next, append(append([]int(nil), p...), a))
			}
		}
		paths = next
	}
	return paths
}

func TestTreeOptimumIsUniqueByMargin(t *testing.T) {
	tests := []struct {
		name             string
		depth, branching int
		dense            bool
		seed             int64
	}{
		{"sparse 3x3", 3, 3, false, 1},
		{"sparse 5x2", 5, 2, false, 2},
		{"dense 4x3", 4, 3, true, 3},
		{"dense 2x5", 2, 5, true, 4},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newT := NewTree
			if tt.dense {
				newT = NewDenseTree
			}
			tr, err := newT(tt.depth, tt.branching, tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			opt, optV := tr.Optimum()
			for _, p := range allPaths(tt.depth, tt.branching) {
				// Replay through the env and compare with Value.
				tr.Reset(ctx, "")
				ret := 0.0
				for i, a := range p {
					sr, err := tr.Step(ctx, a)
					if err != nil {
						t.Fatal(err)
					}
					ret += sr.Reward
					if !tt.dense && i < len(p)-1 && sr.Reward != 0 {
						t.Fatalf("sparse tree pays %g before the leaf", sr.Reward)
					}
					if sr.Terminated != (i == len(p)-1) {
						t.Fatalf("path %v: terminated=%v at step %d", p, sr.Terminated, i)
					}
				}
				v, err := tr.Value(p)
				if err != nil || v != ret {
					t.Fatalf("Value(%v) = %g, %v; replay gives %g", p, v, err, ret)
				}
				if equal(p, opt) {
					if v != optV {
						t.Fatalf("optimum %v has value %g, Optimum says %g", p, v, optV)
					}
				} else if v > optV-TreeMargin+1e-12 {
					t.Fatalf("path %v (%g) is within the margin of the optimum %v (%g)", p, v, opt, optV)
				}
			}
		})
	}
}

func TestTreeForkIsIndependent(t *testing.T) {
	ctx := context.Background()
	tr, err := NewTree(3, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	tr.Reset(ctx, "")
	tr.Step(ctx, 1)
	f, _ := tr.Fork(ctx)
	f.Step(ctx, 0)
	sr, err := tr.Step(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sr.Obs[0] != float64(tr.child(tr.child(0, 1), 1)) {
		t.Fatalf("original moved by its fork: at node %v", sr.Obs[0])
	}
	if _, err := NewTree(0, 2, 1); err == nil {
		t.Fatal("depth 0 accepted")
	}
	if _, err := tr.Value([]int{0, 5}); err == nil {
		t.Fatal("Value accepted action 5 on a binary tree")
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
