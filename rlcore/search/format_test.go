package search

import (
	"math"
	"testing"
)

func TestGeomean(t *testing.T) {
	if g := Geomean([]float64{1, 4}); math.Abs(g-2) > 1e-12 {
		t.Errorf("Geomean(1,4) = %v, want 2", g)
	}
	for _, qs := range [][]float64{nil, {1, math.NaN()}, {1, 0}} {
		if g := Geomean(qs); !math.IsNaN(g) {
			t.Errorf("Geomean(%v) = %v, want NaN", qs, g)
		}
	}
}

func TestFormatQuality(t *testing.T) {
	for _, tc := range []struct {
		q    float64
		want string
	}{{1.23456, "1.2346"}, {1, "1.0000"}, {math.NaN(), "—"}} {
		if got := FormatQuality(tc.q); got != tc.want {
			t.Errorf("FormatQuality(%v) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
