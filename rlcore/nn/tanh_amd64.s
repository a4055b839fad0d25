//go:build !purego

#include "textflag.h"

// Constants for tanh4, each repeated four times (one YMM register).
#define K(off, v) DATA tanhK<>+(off+0)(SB)/8, v; DATA tanhK<>+(off+8)(SB)/8, v; DATA tanhK<>+(off+16)(SB)/8, v; DATA tanhK<>+(off+24)(SB)/8, v

K(0, $0x7fffffffffffffff)   // |x| mask
K(32, $0x8000000000000000)  // sign mask
K(64, $20.0)                // tanh(20) rounds to 1
K(96, $0.625)               // rational / exponential threshold
K(128, $-2.0)
K(160, $1.4426950408889634) // log2(e)
K(192, $0.693145751953125)  // ln 2, high part (Cephes C1)
K(224, $1.42860682030941723212e-6) // ln 2, low part (C2)
K(256, $1.26177193074810590878e-4) // Cephes exp P
K(288, $3.02994407707441961300e-2)
K(320, $9.99999999999999999910e-1)
K(352, $3.00198505138664455042e-6) // Cephes exp Q
K(384, $2.52448340349684104192e-3)
K(416, $2.27265548208155028766e-1)
K(448, $2.00000000000000000009e0)
K(480, $1.0)
K(512, $2.0)
K(544, $4503599627371519.0)         // 2^52 + 1023
K(576, $-9.64399179425052238628e-1) // Cephes tanh P
K(608, $-9.92877231001918586564e1)
K(640, $-1.61468768441708447952e3)
K(672, $1.12811678491632931402e2) // Cephes tanh Q
K(704, $2.23548839060100448583e3)
K(736, $4.84406305325125486048e3)
GLOBL tanhK<>(SB), RODATA|NOPTR, $768

// func tanh4(dst, src *float64, n int)
// dst[i] = tanh(src[i]) for i < n, n a multiple of 4 (dst may equal src).
// |x| < 0.625: Cephes's rational function, as math.Tanh; otherwise
// (1−e)/(1+e) with e = exp(−2|x|) by Cephes's exp, the sign of x restored.
// Needs AVX2 and FMA.
TEXT ·tanh4(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JEQ  done
	LEAQ tanhK<>(SB), AX

loop:
	VMOVUPD (SI), Y0                // x
	VANDPD  0(AX), Y0, Y1           // a = |x|
	VMOVUPD 64(AX), Y2
	VMINPD  Y1, Y2, Y1              // a = min(20, a), NaN kept

	// e = exp(u), u = −2a ≤ 0
	VMULPD       128(AX), Y1, Y2    // u
	VMULPD       160(AX), Y2, Y3
	VROUNDPD     $0, Y3, Y3         // k = round(u·log2 e)
	VMOVAPD      Y2, Y4
	VFNMADD231PD 192(AX), Y3, Y4    // r = u − k·C1
	VFNMADD231PD 224(AX), Y3, Y4    // r −= k·C2
	VMULPD       Y4, Y4, Y5         // rr
	VMOVUPD      256(AX), Y6
	VFMADD213PD  288(AX), Y5, Y6    // P0·rr + P1
	VFMADD213PD  320(AX), Y5, Y6    // (…)·rr + P2
	VMULPD       Y4, Y6, Y6         // px
	VMOVUPD      352(AX), Y7
	VFMADD213PD  384(AX), Y5, Y7
	VFMADD213PD  416(AX), Y5, Y7
	VFMADD213PD  448(AX), Y5, Y7    // Q(rr)
	VSUBPD       Y6, Y7, Y7         // Q − px
	VDIVPD       Y7, Y6, Y6         // px / (Q − px)
	VMOVUPD      480(AX), Y8        // 1
	VFMADD132PD  512(AX), Y8, Y6    // exp(r) = 1 + 2·(px / (Q − px))
	VADDPD       544(AX), Y3, Y3    // k + 1023 + 2^52
	VPSLLQ       $52, Y3, Y3        // 2^k
	VMULPD       Y3, Y6, Y6         // e
	VSUBPD       Y6, Y8, Y9         // 1 − e
	VADDPD       Y6, Y8, Y10        // 1 + e
	VDIVPD       Y10, Y9, Y9        // tanh |x|
	VANDPD       32(AX), Y0, Y10    // sign of x
	VORPD        Y10, Y9, Y9        // tanh x for |x| ≥ 0.625

	// |x| < 0.625: x + x·s·P(s)/Q(s), s = x²
	VMULPD      Y0, Y0, Y5          // s
	VMOVUPD     576(AX), Y6
	VFMADD213PD 608(AX), Y5, Y6
	VFMADD213PD 640(AX), Y5, Y6     // P(s)
	VADDPD      672(AX), Y5, Y7
	VFMADD213PD 704(AX), Y5, Y7
	VFMADD213PD 736(AX), Y5, Y7     // Q(s)
	VDIVPD      Y7, Y6, Y6          // P/Q
	VMULPD      Y5, Y6, Y6          // s·P/Q
	VFMADD213PD Y0, Y0, Y6          // x·(s·P/Q) + x

	VCMPPD    $1, 96(AX), Y1, Y11   // a < 0.625
	VBLENDVPD Y11, Y6, Y9, Y9       // small where the mask is set
	VMOVUPD   Y9, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNE       loop

done:
	VZEROUPPER
	RET
