package rlcore

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestArgmax(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		want   int
	}{
		{"none", nil, -1},
		{"first kept whatever its score", []float64{math.Inf(-1)}, 0},
		{"highest", []float64{1, 3, 2}, 1},
		{"ties without rng: the first", []float64{2, 5, 5, 5}, 1},
	} {
		m := NewArgmax(nil)
		for i, s := range tc.scores {
			m.Offer(i, s)
		}
		if m.Best != tc.want {
			t.Errorf("%s: Best = %d, want %d", tc.name, m.Best, tc.want)
		}
	}
	// With an rng each of three tied candidates is kept about a third of
	// the time; a lower score never is.
	rng := rand.New(rand.NewPCG(1, 2))
	var kept [4]int
	for range 3000 {
		m := NewArgmax(rng)
		for i, s := range []float64{1, 7, 7, 7} {
			m.Offer(i, s)
		}
		kept[m.Best]++
	}
	if kept[0] != 0 {
		t.Errorf("the lower score was kept %d times", kept[0])
	}
	for i := 1; i < 4; i++ {
		if kept[i] < 850 || kept[i] > 1150 {
			t.Errorf("tied candidate %d kept %d times of 3000, want about 1000", i, kept[i])
		}
	}
}
