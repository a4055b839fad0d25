package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

var impl = blas64.Implementation()

// mulAdd computes c (m×n) += a (m×k) · b (k×n).
func mulAdd(c, a, b []float64, m, k, n int) {
	impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, c, n)
}

// mulTransBAdd computes c (m×n) += a (m×k) · bᵀ, b being n×k.
func mulTransBAdd(c, a, b []float64, m, k, n int) {
	impl.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, k, b, k, 1, c, n)
}

// mulTransAAdd computes c (m×n) += aᵀ · b, a being k×m and b k×n.
func mulTransAAdd(c, a, b []float64, m, k, n int) {
	impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, m, b, n, 1, c, n)
}
