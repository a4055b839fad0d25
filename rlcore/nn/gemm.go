package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The matrix products of Dense layers. All matrices are row-major. With
// AVX2 and FMA (amd64, not built with -tags purego) they run on the
// register-blocked kernels of gemm_amd64.s, transposing an operand into
// the caller's scratch where needed; elsewhere they call gonum's BLAS.

var impl = blas64.Implementation()

// scratch holds the reusable buffers of one layer's products.
type scratch struct {
	t []float64 // a transposed operand
	r []float64 // the remainder columns of b, transposed
}

// mulAdd computes c (m×n) += a (m×k) · b (k×n). scratch is reused.
func mulAdd(c, a, b []float64, m, k, n int, s *scratch) {
	if !useKernels {
		impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, c, n)
		return
	}
	gemmKernels(c, a, b, m, k, n, s)
}

// mulTransAAdd computes c (m×n) += aᵀ · b, a being k×m and b k×n.
func mulTransAAdd(c, a, b []float64, m, k, n int, s *scratch) {
	if !useKernels {
		impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, m, b, n, 1, c, n)
		return
	}
	at := transpose(&s.t, a, k, m)
	gemmKernels(c, at, b, m, k, n, s)
}

// mulTransBAdd computes c (m×n) += a (m×k) · bᵀ, b being n×k.
func mulTransBAdd(c, a, b []float64, m, k, n int, s *scratch) {
	if !useKernels {
		impl.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 1, c, n)
		return
	}
	if n < 8 || m < 4 { // narrow or short result: dot products with b's rows
		dotsAdd(c, a, b, m, k, n)
		return
	}
	bt := transpose(&s.t, b, n, k)
	gemmKernels(c, a, bt, m, k, n, s)
}

// gemmKernels computes c (m×n) += a (m×k) · b (k×n) with the assembly
// kernels on 8-column panels; the last n mod 8 columns are dot products
// with rows of bᵀ built in s.r.
func gemmKernels(c, a, b []float64, m, k, n int, s *scratch) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	_ = a[m*k-1]
	_ = b[k*n-1]
	_ = c[m*n-1]
	n8 := n &^ 7
	if n8 > 0 {
		r := 0
		for ; r+4 <= m; r += 4 {
			for j := 0; j < n8; j += 8 {
				kern4x8(k, &a[r*k], k, &b[j], n, &c[r*n+j], n)
			}
		}
		for ; r < m; r++ {
			for j := 0; j < n8; j += 8 {
				kern1x8(k, &a[r*k], &b[j], n, &c[r*n+j])
			}
		}
	}
	if n8 == n {
		return
	}
	// Remaining columns: bt holds their columns of b as rows.
	w := n - n8
	bt := grow(s.r, w*k)
	s.r = bt
	for l := range k {
		row := b[l*n+n8 : (l+1)*n]
		for j, v := range row {
			bt[j*k+l] = v
		}
	}
	for r := range m {
		ar := a[r*k : (r+1)*k]
		cr := c[r*n+n8 : (r+1)*n]
		for j := range w {
			cr[j] += dot(ar, bt[j*k:(j+1)*k])
		}
	}
}

// dotsAdd computes c (m×n) += a (m×k) · bᵀ, b being n×k, by dot products.
func dotsAdd(c, a, b []float64, m, k, n int) {
	for r := range m {
		ar := a[r*k : (r+1)*k]
		cr := c[r*n : (r+1)*n]
		for j := range cr {
			cr[j] += dot(ar, b[j*k:(j+1)*k])
		}
	}
}

// dot is Σ x_i y_i with four independent accumulators.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// transpose writes the transpose of x (rows×cols) into *buf (grown as
// needed) and returns it (cols×rows).
func transpose(buf *[]float64, x []float64, rows, cols int) []float64 {
	t := grow(*buf, rows*cols)
	*buf = t
	for i := range rows {
		for j, v := range x[i*cols : (i+1)*cols] {
			t[j*rows+i] = v
		}
	}
	return t
}
