//go:build !purego

package nn

import "golang.org/x/sys/cpu"

// useKernels is set when the AVX2+FMA kernels of gemm_amd64.s can run.
var useKernels = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kern4x8(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func kern1x8(k int, a *float64, b *float64, ldb int, c *float64)
