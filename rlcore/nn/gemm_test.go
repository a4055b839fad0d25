package nn

import (
	"math"
	"testing"
)

// TestProductsMatchNaive checks the three layer products against the
// definition for shapes that hit every kernel path (4-row and 1-row
// blocks, 8-column panels and remainder columns).
func TestProductsMatchNaive(t *testing.T) {
	dims := []int{1, 3, 4, 5, 8, 9, 17, 64}
	rng := newRNG(11)
	var s scratch
	for _, m := range dims {
		for _, k := range dims {
			for _, n := range dims {
				a := randSlice(rng, m*k, 1)  // m×k
				at := randSlice(rng, k*m, 1) // k×m
				b := randSlice(rng, k*n, 1)  // k×n
				bt := randSlice(rng, n*k, 1) // n×k
				c0 := randSlice(rng, m*n, 1)
				tests := []struct {
					name string
					run  func(c []float64)
					elem func(i, j, l int) float64
				}{
					{"a·b", func(c []float64) { mulAdd(c, a, b, m, k, n, &s) }, func(i, j, l int) float64 { return a[i*k+l] * b[l*n+j] }},
					{"aᵀ·b", func(c []float64) { mulTransAAdd(c, at, b, m, k, n, &s) }, func(i, j, l int) float64 { return at[l*m+i] * b[l*n+j] }},
					{"a·bᵀ", func(c []float64) { mulTransBAdd(c, a, bt, m, k, n, &s) }, func(i, j, l int) float64 { return a[i*k+l] * bt[j*k+l] }},
				}
				for _, tc := range tests {
					c := append([]float64(nil), c0...)
					tc.run(c)
					for i := range m {
						for j := range n {
							want := c0[i*n+j]
							for l := range k {
								want += tc.elem(i, j, l)
							}
							if math.Abs(c[i*n+j]-want) > 1e-12*float64(k+1) {
								t.Fatalf("%s m=%d k=%d n=%d: c[%d,%d] = %g, want %g", tc.name, m, k, n, i, j, c[i*n+j], want)
							}
						}
					}
				}
			}
		}
	}
}
