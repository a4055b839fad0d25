package search

import (
	"fmt"
	"math"
)

// Geomean is the geometric mean of xs; NaN when xs is empty or one of
// them is missing (NaN) or ≤ 0.
func Geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		if math.IsNaN(x) || x <= 0 {
			return math.NaN()
		}
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}

// FormatQuality is how tables print a quality: four decimals, "—" when
// there is none (NaN).
func FormatQuality(q float64) string {
	if math.IsNaN(q) {
		return "—"
	}
	return fmt.Sprintf("%.4f", q)
}
