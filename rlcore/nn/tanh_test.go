package nn

import (
	"math"
	"testing"
)

func TestTanhSliceMatchesMathTanh(t *testing.T) {
	var xs []float64
	for i := -400000; i <= 400000; i++ {
		xs = append(xs, float64(i)/10000) // [−40, 40] in steps of 1e-4
	}
	xs = append(xs, 0, math.Copysign(0, -1), 1e-300, -1e-300, 5e-324, 0.625, -0.625,
		math.Nextafter(0.625, 0), math.Nextafter(-0.625, 0), 19.99, 20, 20.01, 1e10, -1e10,
		math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), 1e-8, -3e-5)
	for len(xs)%4 != 0 {
		xs = append(xs, 0.3)
	}
	got := make([]float64, len(xs))
	tanhSlice(got, xs)
	worst := 0.0
	for i, x := range xs {
		want := math.Tanh(x)
		err := math.Abs(got[i] - want)
		if want != 0 {
			err /= math.Abs(want)
		}
		worst = max(worst, err)
		if err > 4.5e-16 || (want != 0 && math.Signbit(got[i]) != math.Signbit(want)) { // the sign of a zero may differ
			t.Fatalf("tanh(%g) = %.17g, math.Tanh gives %.17g", x, got[i], want)
		}
	}
	nan := []float64{math.NaN(), 1, 2, 3}
	tanhSlice(nan, nan)
	if !math.IsNaN(nan[0]) || nan[1] != math.Tanh(1) {
		t.Fatalf("tanh of NaN, 1 = %v", nan[:2])
	}
	t.Logf("worst relative difference from math.Tanh: %.3g (kernels in use: %v)", worst, useKernels)
}
