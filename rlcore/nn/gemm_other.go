//go:build !amd64 || purego

package nn

const useKernels = false

func kern4x8(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int) {
	panic("nn: no gemm kernels on this platform")
}

func kern1x8(k int, a *float64, b *float64, ldb int, c *float64) {
	panic("nn: no gemm kernels on this platform")
}

func tanh4(dst, src *float64, n int) {
	panic("nn: no tanh kernel on this platform")
}
