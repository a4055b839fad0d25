package envs

import (
	"context"
	"strings"
	"testing"
)

func TestGridworldLayoutErrors(t *testing.T) {
	tests := []struct {
		name   string
		layout []string
		want   string
	}{
		{"empty", nil, "empty layout"},
		{"ragged", []string{"S..", "..G."}, "equally long"},
		{"no goal", []string{"S..", "..."}, "one start S and one goal G"},
		{"two starts", []string{"S.S", "..G"}, "second start"},
		{"unknown cell", []string{"S.x", "..G"}, "unknown cell"},
		{"walled off", []string{"S#.", "##G"}, "cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGridworld(tt.layout, GridOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewGridworld(%q) error = %v, want one containing %q", tt.layout, err, tt.want)
			}
		})
	}
}

func TestCliffWalkingDynamics(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		opts       GridOptions
		actions    []int
		wantReturn float64
		wantRow    int
		wantCol    int
		terminated bool
		truncated  bool
	}{
		{"optimal path along the cliff", GridOptions{}, append(append([]int{Up}, repeat(Right, 11)...), Down), -13, 3, 11, true, false},
		{"fall into the cliff goes back to start", GridOptions{}, []int{Right}, -100, 3, 0, false, false},
		{"bump into the edge stays", GridOptions{}, []int{Left, Down}, -2, 3, 0, false, false},
		{"safe path", GridOptions{}, append(append([]int{Up, Up, Up}, repeat(Right, 11)...), Down, Down, Down), -17, 3, 11, true, false},
		{"truncated", GridOptions{MaxSteps: 3}, []int{Up, Up, Down}, -3, 2, 0, false, true},
		{"shaping: optimal path", GridOptions{Shaping: 2}, append(append([]int{Up}, repeat(Right, 11)...), Down), 13, 3, 11, true, false},
		{"shaping: detour costs", GridOptions{Shaping: 2}, []int{Up, Up, Down, Down}, -4, 3, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGridworld(CliffWalking, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Reset(ctx, ""); err != nil {
				t.Fatal(err)
			}
			ret := 0.0
			for i, a := range tt.actions {
				sr, err := g.Step(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				ret += sr.Reward
				last := i == len(tt.actions)-1
				if sr.Terminated != (last && tt.terminated) || sr.Truncated != (last && tt.truncated) {
					t.Fatalf("step %d: terminated=%v truncated=%v", i, sr.Terminated, sr.Truncated)
				}
			}
			if ret != tt.wantReturn {
				t.Errorf("return = %g, want %g", ret, tt.wantReturn)
			}
			if r, c := g.Position(); r != tt.wantRow || c != tt.wantCol {
				t.Errorf("position = (%d, %d), want (%d, %d)", r, c, tt.wantRow, tt.wantCol)
			}
		})
	}
}

func TestGridworldObservationAndFork(t *testing.T) {
	ctx := context.Background()
	g, err := NewGridworld(CliffWalking, GridOptions{OneHot: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.ShortestPath() != 13 || g.OptimalReturn() != -13 {
		t.Fatalf("shortest path %d, optimal return %g; want 13 and -13", g.ShortestPath(), g.OptimalReturn())
	}
	obs, _ := g.Reset(ctx, "")
	if !g.ObservationSpace().Contains(obs) || obs[36] != 1 {
		t.Fatalf("start observation %v is not the one-hot of cell 36 in %v", obs, g.ObservationSpace())
	}
	if _, err := g.Step(ctx, Up); err != nil {
		t.Fatal(err)
	}
	f, _ := g.Fork(ctx)
	if _, err := f.Step(ctx, Right); err != nil {
		t.Fatal(err)
	}
	if r, c := g.Position(); r != 2 || c != 0 {
		t.Fatalf("stepping the fork moved the original to (%d, %d)", r, c)
	}
	if r, c := f.(*Gridworld).Position(); r != 2 || c != 1 {
		t.Fatalf("fork at (%d, %d), want (2, 1)", r, c)
	}
	if _, err := g.Step(ctx, 7); err == nil {
		t.Fatal("action 7 accepted")
	}
}

func repeat(a, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = a
	}
	return out
}
